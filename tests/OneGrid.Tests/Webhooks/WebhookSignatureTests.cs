using System.Text;
using OneGrid.Cases;
using OneGrid.Webhooks;

namespace OneGrid.Tests.Webhooks;

public sealed class WebhookSignatureTests
{
    private const string Secret = "whsec_test";
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"id":"1","type":"case.created","note":"垃圾"}""");
    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    [Fact]
    public void A_signed_body_verifies_with_the_secret_and_matches_a_plain_HMAC()
    {
        var ts = Now.ToUnixTimeSeconds();
        var header = WebhookSignature.Sign(Secret, ts, Body);
        Assert.True(WebhookSignature.Verify(Secret, header, Body, Now, Tolerance));
        // The recipe receivers follow, with nothing but an HMAC library.
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret),
            Encoding.UTF8.GetBytes(ts + "." + Encoding.UTF8.GetString(Body))));
        Assert.Equal($"t={ts},v1={expected}", header);
    }

    [Fact]
    public void A_tampered_body_timestamp_or_secret_fails()
    {
        var ts = Now.ToUnixTimeSeconds();
        var header = WebhookSignature.Sign(Secret, ts, Body);
        var tampered = Encoding.UTF8.GetBytes("""{"id":"1","type":"case.closed","note":"垃圾"}""");
        Assert.False(WebhookSignature.Verify(Secret, header, tampered, Now, Tolerance));
        Assert.False(WebhookSignature.Verify(Secret, header.Replace($"t={ts}", $"t={ts + 1}"), Body, Now, Tolerance));
        Assert.False(WebhookSignature.Verify("whsec_other", header, Body, Now, Tolerance));
        Assert.False(WebhookSignature.Verify(Secret, null, Body, Now, Tolerance));
        Assert.False(WebhookSignature.Verify(Secret, "v1=" + header.Split("v1=")[1], Body, Now, Tolerance));
        Assert.False(WebhookSignature.Verify(Secret, $"t={ts},v1=zz", Body, Now, Tolerance));
    }

    [Fact]
    public void An_old_delivery_replayed_later_fails()
    {
        var old = Now.AddMinutes(-6);
        var header = WebhookSignature.Sign(Secret, old.ToUnixTimeSeconds(), Body);
        Assert.False(WebhookSignature.Verify(Secret, header, Body, Now, Tolerance));
        Assert.True(WebhookSignature.Verify(Secret, header, Body, old.AddMinutes(4), Tolerance));
    }

    [Theory]
    [InlineData("report", null, CaseState.Reported, "case.created")]
    [InlineData("report-self-handled", null, CaseState.Handled, "case.created")]
    [InlineData("register", CaseState.Reported, CaseState.Registered, "case.state_changed")]
    [InlineData("verify", CaseState.Handled, CaseState.Closed, "case.state_changed case.closed")]
    [InlineData("overdue", CaseState.Registered, CaseState.Registered, "case.overdue")]
    [InlineData("supervise", CaseState.Registered, CaseState.Registered, "")]
    [InlineData("deadline-warning", CaseState.Registered, CaseState.Registered, "")]
    public void Timeline_entries_map_to_event_types(string action, CaseState? from, CaseState to, string types)
    {
        var e = new CaseEvent { Action = action, FromState = from, ToState = to };
        Assert.Equal(types, string.Join(' ', WebhookOutboxInterceptor.TypesOf(e)));
    }

    [Fact]
    public void Back_off_doubles_and_is_capped()
    {
        var o = new WebhookOptions { RetryBaseDelay = TimeSpan.FromSeconds(10), MaxRetryDelay = TimeSpan.FromMinutes(5) };
        Assert.Equal([10, 20, 40, 80, 160, 300, 300], Enumerable.Range(1, 7).Select(a => o.RetryDelay(a).TotalSeconds).ToArray());
    }
}

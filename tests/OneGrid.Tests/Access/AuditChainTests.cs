using OneGrid.Access;

namespace OneGrid.Tests.Access;

public class AuditChainTests
{
    private static List<AuditEntry> Chain(int count)
    {
        var entries = new List<AuditEntry>();
        var previous = AuditChain.Genesis;
        for (var i = 1; i <= count; i++)
        {
            var e = new AuditEntry
            {
                Id = i, At = DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_000 + i), ActorId = "u" + i, ActorName = "user" + i,
                Ip = "10.0.0." + i, Method = "POST", Path = "/api/v1/cases/" + i, Status = 201, Entity = "cases/" + i, Summary = "report " + i,
                PreviousHash = previous,
            };
            e.Hash = AuditChain.ComputeHash(e);
            previous = e.Hash;
            entries.Add(e);
        }
        return entries;
    }

    private static Task<AuditVerification> Verify(IEnumerable<AuditEntry> entries) => AuditChain.VerifyAsync(entries.ToAsyncEnumerable());

    [Fact]
    public async Task An_untouched_chain_verifies_and_reports_its_head()
    {
        var chain = Chain(5);
        var result = await Verify(chain);
        Assert.Equal(new AuditVerification(true, 5, null, chain[^1].Hash), result);
        Assert.Equal(new AuditVerification(true, 0, null, null), await Verify([]));
    }

    [Fact]
    public async Task Editing_any_field_breaks_the_chain_at_that_entry()
    {
        var edits = new Action<AuditEntry>[]
        {
            e => e.Summary = "nothing happened", e => e.ActorId = "someone-else", e => e.Ip = "127.0.0.1",
            e => e.At = e.At.AddSeconds(1), e => e.Status = 200, e => e.Entity = null,
        };
        foreach (var edit in edits)
        {
            var chain = Chain(5);
            edit(chain[2]);
            Assert.Equal(3, (await Verify(chain)).FirstBrokenId);
        }
    }

    [Fact]
    public async Task Rehashing_an_edited_entry_moves_the_break_to_the_next_one()
    {
        var chain = Chain(5);
        chain[2].Summary = "nothing happened";
        chain[2].Hash = AuditChain.ComputeHash(chain[2]);
        Assert.Equal(4, (await Verify(chain)).FirstBrokenId);
    }

    [Fact]
    public async Task Deleting_or_reordering_entries_is_detected()
    {
        var deleted = Chain(5);
        deleted.RemoveAt(1);
        Assert.Equal(3, (await Verify(deleted)).FirstBrokenId);

        var reordered = Chain(5);
        (reordered[1], reordered[2]) = (reordered[2], reordered[1]);
        Assert.Equal(3, (await Verify(reordered)).FirstBrokenId);

        // Swapping the contents but keeping the ids in order fails too: each entry names its predecessor.
        var swapped = Chain(5);
        (swapped[1].Id, swapped[2].Id) = (swapped[2].Id, swapped[1].Id);
        (swapped[1], swapped[2]) = (swapped[2], swapped[1]);
        Assert.Equal(2, (await Verify(swapped)).FirstBrokenId);
    }

    [Fact]
    public void A_value_cannot_pose_as_a_field_separator()
    {
        var a = Chain(1)[0];
        var b = Chain(1)[0];
        a.ActorName = "x|y";
        a.Ip = "z";
        b.ActorName = "x";
        b.Ip = "y|z";
        Assert.NotEqual(AuditChain.ComputeHash(a), AuditChain.ComputeHash(b));
    }
}

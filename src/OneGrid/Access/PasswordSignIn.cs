using Microsoft.AspNetCore.Identity;

namespace OneGrid.Access;

/// <summary>
/// A password sign-in as both doors do it (the API login and the sign-in page). A failure, whether the password was
/// wrong, the account is unknown or the account is locked, looks the same from outside: one answer, and about the
/// same time (a password hash is checked in every case), so no caller learns which accounts exist or are locked.
/// The lock-out itself still counts and holds. Failures are audited here; the caller audits a success (the API
/// through its audit note, committed before the response; the page with <see cref="AuditSuccessAsync"/>).
/// </summary>
internal static class PasswordSignIn
{
    private static string? _decoyHash;

    public static async Task<(bool Succeeded, OneGridUser? User)> TryAsync(HttpContext http, SignInManager<OneGridUser> signIn,
        string userName, string password, bool persistent)
    {
        var users = signIn.UserManager;
        var user = await users.FindByNameAsync(userName);
        string reason;
        if (user is null)
        {
            Decoy(users, password);
            reason = "unknown account";
        }
        else if (await users.IsLockedOutAsync(user))
        {
            // Identity refuses a locked account before checking the password: check one anyway, for the time it takes.
            Decoy(users, password);
            reason = "account locked";
        }
        else
        {
            var result = await signIn.PasswordSignInAsync(user, password, persistent, lockoutOnFailure: true);
            if (result.Succeeded) return (true, user);
            reason = result.IsLockedOut ? "wrong password; the account is now locked" : "wrong password";
        }
        await AuditFailureAsync(http, userName, reason);
        return (false, null);
    }

    public static Task AuditSuccessAsync(HttpContext http, OneGridUser user, string via) =>
        http.RequestServices.GetRequiredService<AuditLog>().AppendAsync(
            AuditTrail.RecordOf(http, StatusCodes.Status200OK, "users/" + user.UserName, $"sign-in ({via})")
                with { ActorId = user.Id, ActorName = user.UserName });

    private static Task AuditFailureAsync(HttpContext http, string userName, string reason)
    {
        // The failure is its own entry; the API login's 401 must not be recorded a second time as a refused write.
        AuditTrail.MarkRecorded(http);
        return http.RequestServices.GetRequiredService<AuditLog>().AppendAsync(
            AuditTrail.RecordOf(http, StatusCodes.Status401Unauthorized, "users/" + userName, "sign-in failed: " + reason));
    }

    private static void Decoy(UserManager<OneGridUser> users, string password)
    {
        var decoy = new OneGridUser { UserName = "-" };
        _decoyHash ??= users.PasswordHasher.HashPassword(decoy, Guid.NewGuid().ToString("N"));
        users.PasswordHasher.VerifyHashedPassword(decoy, _decoyHash, password);
    }
}

using System.CommandLine;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OneGrid.Access;
using OneGrid.Hosting;
using OneGrid.Persistence;
using Spectre.Console;

namespace OneGrid.Cli;

/// <summary>
/// The first administrator of a real deployment (demo mode has its own accounts): there is nobody yet
/// who could create one over the API.
/// </summary>
internal static class UserCommands
{
    public static Command Create()
    {
        var username = new Argument<string>("username") { Description = "The account's user name" };
        var unit = new Option<string>("--unit") { Description = "The unit the admin grant reaches, e.g. 3301 (the whole city)", Required = true };
        var display = new Option<string?>("--display-name") { Description = "The name shown to others" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from standard input instead of prompting" };
        var add = new Command("add-admin", "Create an administrator account (password rules apply)") { username, unit, display, passwordStdin };
        add.SetAction(async (parse, ct) =>
        {
            var password = parse.GetValue(passwordStdin)
                ? (await Console.In.ReadLineAsync(ct))?.TrimEnd('\r', '\n') ?? ""
                : AnsiConsole.Prompt(new TextPrompt<string>("Password:").Secret());
            var settings = new HostSettings
            {
                DataDirectory = Path.GetFullPath(parse.GetValue(OneGridCli.DataOption)!),
                Database = OneGridCli.Database(parse),
            };
            await using var app = OneGridApp.Build(settings);
            using var scope = app.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<OneGridDbContext>();
            await PersistenceServices.MigrateAsync(db, ct);
            var unitCode = parse.GetValue(unit)!;
            if (!await db.Units.AnyAsync(u => u.Code == unitCode, ct))
            {
                AnsiConsole.MarkupLineInterpolated($"[red]No unit {unitCode}: import the divisions first (import divisions FILE.csv).[/]");
                return 2;
            }
            var users = scope.ServiceProvider.GetRequiredService<UserManager<OneGridUser>>();
            var name = parse.GetValue(username)!;
            if (await users.FindByNameAsync(name) is not null)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]The account {name} exists already.[/]");
                return 2;
            }
            var now = TimeProvider.System.GetUtcNow();
            var user = new OneGridUser { UserName = name, DisplayName = parse.GetValue(display) ?? name, CreatedAt = now };
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var created = await users.CreateAsync(user, password);
            if (!created.Succeeded)
            {
                foreach (var e in created.Errors) AnsiConsole.MarkupLineInterpolated($"[red]{e.Description}[/]");
                return 1;
            }
            db.Grants.Add(new UserGrant { UserId = user.Id, Role = Role.Admin, UnitCode = unitCode, CreatedAt = now });
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            AnsiConsole.MarkupLineInterpolated($"[green]Administrator {name} created on {unitCode}; sign in with POST /api/v1/auth/login.[/]");
            return 0;
        });
        return new Command("users", "Accounts") { add };
    }
}

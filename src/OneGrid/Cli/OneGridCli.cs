using System.CommandLine;
using OneGrid.Hosting;
using OneGrid.Persistence;

namespace OneGrid.Cli;

/// <summary>The command line: serve, import, generate, bench, users, simulate, tallies.</summary>
public static class OneGridCli
{
    public static readonly Option<string> DataOption = new("--data")
    {
        Description = "Directory for the SQLite file and stored files",
        DefaultValueFactory = _ => "data",
        Recursive = true,
    };

    public static readonly Option<string?> DatabaseOption = new("--database")
    {
        Description = "sqlite (default), a postgres://user:pass@host:port/db URL, or an Npgsql connection string; also ONEGRID_DATABASE",
        Recursive = true,
    };

    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("OneGrid — grid-based grassroots governance (一网统管)");
        root.Options.Add(DataOption);
        root.Options.Add(DatabaseOption);
        root.Subcommands.Add(ServeCommand());
        root.Subcommands.Add(ImportCommands.Create());
        CalendarCommands.AddTo(root);
        root.Subcommands.Add(GenerateCommands.Create());
        root.Subcommands.Add(BenchCommands.Create());
        root.Subcommands.Add(UserCommands.Create());
        root.Subcommands.Add(SimulateCommand.Create());
        root.Subcommands.Add(SimulateCommand.Tallies());
        return await root.Parse(args).InvokeAsync();
    }

    public static DatabaseSettings Database(ParseResult parse)
    {
        var data = parse.GetValue(DataOption)!;
        var database = parse.GetValue(DatabaseOption) ?? Environment.GetEnvironmentVariable("ONEGRID_DATABASE");
        return DatabaseSettings.Parse(database, data);
    }

    private static Command ServeCommand()
    {
        var demo = new Option<bool>("--demo") { Description = "Load the demo district (滨江区) on first start" };
        var urls = new Option<string?>("--urls") { Description = "Addresses to listen on, e.g. http://127.0.0.1:5080" };
        var command = new Command("serve", "Run the web host") { demo, urls };
        command.SetAction(async (parse, ct) =>
        {
            var settings = new HostSettings
            {
                DataDirectory = Path.GetFullPath(parse.GetValue(DataOption)!),
                Database = Database(parse),
                Demo = parse.GetValue(demo),
                Urls = parse.GetValue(urls) ?? Environment.GetEnvironmentVariable("ASPNETCORE_URLS") ?? "http://127.0.0.1:5080",
            };
            DataFolder.Ensure(settings.DataDirectory);
            var app = OneGridApp.Build(settings, parse.UnmatchedTokens.ToArray());
            await app.RunAsync(ct);
            return 0;
        });
        return command;
    }
}

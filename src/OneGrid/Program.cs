using OneGrid.Cli;

return await OneGridCli.RunAsync(args);

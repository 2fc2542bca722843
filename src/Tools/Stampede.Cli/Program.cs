using Stampede.Cli;
using Stampede.Cli.Commands;

// One line per top-level command; each lives in Commands/ under its own name.
var root = new System.CommandLine.RootCommand("Stampede developer tool: run the system, its servers and its tests.")
{
    UpCommand.Create(),
    DownCommand.Create(),
    StatusCommand.Create(),
    TestCommand.Create(),
    ServersCommand.Create(),
    DemoCommand.Create(),
    BenchCommand.Create(),
    DeadLettersCommand.Create(),
    AuditCommand.Create(),
};

return await CliHost.InvokeAsync(root, args);

using System.CommandLine;
using Stampede.Cli;
using Stampede.Cli.Audit;
using Stampede.Cli.Commands;
using Stampede.Cli.Demo;
using Stampede.Cli.Messaging;

var root = new RootCommand("Stampede developer tool: run the system, its servers and its tests.")
{
    UpCommand.Create(),
    DownCommand.Create(),
    StatusCommand.Create(),
    TestCommand.Create(),
    ServersCommand.Create(),
    DemoCommand.Create(),
    AuditCommand.Create(),
};
foreach (var c in MessagingCommands.All())
{
    root.Subcommands.Add(c);
}

// `bench` comes from the messaging commands; orders is one more measurement under it.
root.Subcommands.Single(c => c.Name == "bench").Subcommands.Add(BenchOrdersCommand.Create());

return await CliHost.InvokeAsync(root, args);

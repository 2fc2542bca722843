using System.CommandLine;
using Stampede.Cli.Servers;

namespace Stampede.Cli.Commands;

public static class InstanceOption
{
    public static Option<string> Create() => new Option<string>("--instance")
    {
        Description = "Which private server set: dev (used by up), test (used by test) or bench.",
        DefaultValueFactory = _ => Instance.Dev.Name,
    }.AcceptOnlyFromAmong([.. Instance.Known.Select(i => i.Name)]);
}

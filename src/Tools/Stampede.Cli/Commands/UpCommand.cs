using System.CommandLine;
using System.Diagnostics;
using Spectre.Console;
using Stampede.Cli.Building;
using Stampede.Cli.Demo;
using Stampede.Cli.Servers;
using Stampede.Cli.Services;
using Stampede.Cli.Terminal;

namespace Stampede.Cli.Commands;

/// <summary>`up`: build, start servers and services, wait until all are ready, print where everything is.</summary>
public static class UpCommand
{
    public static Command Create()
    {
        var detach = new Option<bool>("--detach") { Description = "Return once everything is ready and leave it running (stop it with `down`)." };
        var noBuild = new Option<bool>("--no-build") { Description = "Start what was built last instead of building first." };
        var timeout = new Option<int>("--timeout")
        {
            Description = "Seconds to wait for each server and service to become ready.",
            DefaultValueFactory = _ => 120,
        };
        var replicas = new Option<string>("--replicas")
        {
            Description = "Instances per service: NAME=N,... (e.g. ordering=2,inventory=2) or N for every service behind the gateway. " +
                "The gateway balances across them.",
        };
        var noDashboard = new Option<bool>("--no-dashboard") { Description = "Do not start the Aspire dashboard (services then export no telemetry)." };
        var command = new Command("up", "Build and start the servers and every service, and wait until all are ready.")
        {
            detach, noBuild, timeout, replicas, noDashboard,
        };
        command.SetAction(async (ParseResult result, CancellationToken _) => await RunAsync(
            new LaunchChoices(Replicas.Parse(result.GetValue(replicas), ServiceCatalog.All).Counts, Dashboard: !result.GetValue(noDashboard)),
            result.GetValue(detach),
            result.GetValue(noBuild),
            TimeSpan.FromSeconds(Math.Max(1, result.GetValue(timeout))),
            CliHost.TerminationToken));
        return command;
    }

    private static async Task<int> RunAsync(LaunchChoices choices, bool detach, bool noBuild, TimeSpan readyTimeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var running = LocalSystem.Dev();
        if (running.AnyRunning && !SameChoices(running.Choices, choices))
        {
            throw new UserFacingException(
                "Stampede is running with other replicas or dashboard choice; `./stampede down` first, then `up` with the new ones.");
        }

        var system = LocalSystem.Dev(choices);
        if (await system.IsFullyUpAsync(ct))
        {
            AnsiConsole.MarkupLine("[green]Stampede is already up.[/] (`./stampede down` stops it.)");
            await StatusCommand.RenderAsync(system, ct);
            AnsiConsole.Write(Accounts());
            PrintSeeding(await SeedAsync(ct));
            return 0;
        }

        // Fail before the long build and server start if a service port belongs to someone else.
        foreach (var service in system.Services.Where(s => s.Process.Running() is null))
        {
            Processes.Ports.EnsureFree([service.Service.Port], service.Service.InstanceName);
        }

        choices.Save(system.Instance);
        if (choices.Dashboard && system.Dashboard.Process.Running() is null && system.Dashboard.ChoosePorts() is { } dashboardNote)
        {
            AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(dashboardNote)}[/]");
        }

        await ServerPackages.EnsureInstalledAsync(ct);
        if (!noBuild)
        {
            await SolutionBuild.RunAsync(LocalSystem.DevConfiguration, ct);
        }

        var buildTime = clock.Elapsed;

        if (!system.Servers.AnyRunning && system.Instance.ChoosePorts() is { } note)
        {
            AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(note)}[/]");
        }

        var started = new List<string>();
        try
        {
            await StartupRunner.RunAsync(system.StartWaves(), readyTimeout, s => { lock (started) { started.Add(s.Name); } }, ct);
        }
        catch
        {
            // Leave nothing half-started behind; the logs stay for the post-mortem.
            await StopAsync(system, started);
            throw;
        }

        var seeding = await SeedAsync(ct);
        PrintSummary(system, clock.Elapsed, clock.Elapsed - buildTime);
        PrintSeeding(seeding);
        if (detach)
        {
            AnsiConsole.WriteLine("Running in the background: `./stampede status` shows it, `./stampede down` stops it.");
            return 0;
        }

        AnsiConsole.MarkupLine("[grey]Press Ctrl+C to stop everything this started.[/]");
        await WatchAsync(system, ct);
        await StopAsync(system, started);
        return 0;
    }

    /// <summary>Reports processes that die while we wait in the foreground; returns on Ctrl+C or SIGTERM.</summary>
    private static async Task WatchAsync(LocalSystem system, CancellationToken ct)
    {
        var reported = new HashSet<string>();
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(2), ct);
                var processes = system.Servers.All.Select(s => s.Process).Concat(system.Services.Select(s => s.Process))
                    .Concat(system.Choices.Dashboard ? [system.Dashboard.Process] : []);
                foreach (var process in processes.Where(p => p.Running() is null && reported.Add(p.Name)))
                {
                    AnsiConsole.MarkupLine($"[red]{Markup.Escape(process.Name)} has exited.[/] Log: {Markup.Escape(process.LogFile)}");
                }
            }
        }
        catch (OperationCanceledException)
        {
            AnsiConsole.WriteLine();
        }
    }

    private static async Task StopAsync(LocalSystem system, IReadOnlyCollection<string> started)
    {
        if (started.Count == 0)
        {
            return;
        }

        IReadOnlyList<string> stopped = [];
        await Busy.RunAsync($"Stopping {string.Join(", ", started)}", async () => stopped = await system.StopAsync(started));
        AnsiConsole.WriteLine(stopped.Count == 0 ? "Nothing left to stop." : $"Stopped {string.Join(", ", stopped)}.");
    }

    private static bool SameChoices(LaunchChoices a, LaunchChoices b) =>
        a.Dashboard == b.Dashboard && new Replicas(a.Replicas).Counts.Where(c => c.Value > 1).OrderBy(c => c.Key)
            .SequenceEqual(b.Replicas.Where(c => c.Value > 1).OrderBy(c => c.Key));

    private static Table Accounts()
    {
        var accounts = new Table().Border(TableBorder.Rounded).AddColumns("demo account", "password", "role");
        accounts.AddRow(ServiceCatalog.AdminEmail, Markup.Escape(ServiceCatalog.AdminPassword), "admin");
        accounts.AddRow(DemoSeed.CustomerEmail, Markup.Escape(DemoSeed.CustomerPassword), "customer");
        return accounts;
    }

    /// <summary>Demo data through the gateway; a failure is reported, never fatal, since the system itself is up.</summary>
    private static async Task<(bool Ok, string Text)> SeedAsync(CancellationToken ct)
    {
        var text = "";
        try
        {
            await Busy.RunAsync("Seeding demo data", async () => text = await DemoSeed.RunAsync(ServiceCatalog.Gateway.Url, ct));
            return (true, text);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return (false, $"Seeding demo data failed: {ex.Message} The system is up; `./stampede up` again retries the seeding.");
        }
    }

    private static void PrintSeeding((bool Ok, string Text) seeding) =>
        AnsiConsole.MarkupLine(seeding.Ok ? Markup.Escape(seeding.Text) : $"[yellow]Warning: {Markup.Escape(seeding.Text)}[/]");

    private static void PrintSummary(LocalSystem system, TimeSpan elapsed, TimeSpan startTime)
    {
        var gateway = system.Services.Select(s => s.Service).FirstOrDefault(s => s.Kind == ServiceKind.Gateway);
        AnsiConsole.WriteLine();
        AnsiConsole.MarkupLine($"[green bold]Stampede is up[/] in {elapsed.TotalSeconds:0.0} s." +
            (gateway is null ? "" : $" Gateway: [link]{gateway.Url}[/]"));

        var services = new Table().Border(TableBorder.Rounded).AddColumns("service", "url", "API explorer");
        if (system.Choices.Dashboard)
        {
            services.AddRow(Dashboard.Name, system.Dashboard.Url, "traces, metrics, logs (OTLP)");
        }

        foreach (var service in system.Services.Select(s => s.Service))
        {
            services.AddRow(service.InstanceName, service.Url, service.ApiExplorerUrl);
        }

        var instance = system.Instance;
        var servers = new Table().Border(TableBorder.Rounded).AddColumns("server", "address");
        servers.AddRow("postgres", Markup.Escape(instance.PostgresConnectionString));
        servers.AddRow("redis", instance.RedisAddress);
        servers.AddRow("rabbitmq", Markup.Escape(instance.RabbitMqUri));

        AnsiConsole.Write(services);
        AnsiConsole.Write(servers);
        AnsiConsole.Write(Accounts());
        AnsiConsole.MarkupLine($"Logs: {Markup.Escape(instance.LogsFolder)}");
        AnsiConsole.MarkupLine($"Ready in {elapsed.TotalSeconds:0.0} s (build {(elapsed - startTime).TotalSeconds:0.0} s, start {startTime.TotalSeconds:0.0} s).");
    }
}

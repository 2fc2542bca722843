using System.CommandLine;
using System.Diagnostics;
using Spectre.Console;
using Stampede.Cli.Building;
using Stampede.Cli.Servers;
using Stampede.Cli.Testing;

namespace Stampede.Cli.Commands;

/// <summary>
/// `test`: builds, starts a clean `test` instance, runs every test project against it, stops it, and
/// ends with the line `N passed, N failed, N skipped`.
/// </summary>
public static class TestCommand
{
    private const string Configuration = "Debug";

    public static Command Create()
    {
        var extra = new Argument<string[]>("dotnet-test-args")
        {
            Description = "Extra arguments for `dotnet test`, after `--` (e.g. -- --filter Name~Refresh).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("test", "Run every test project against fresh private servers.") { extra };
        command.SetAction(async (ParseResult result, CancellationToken _) =>
            await RunAsync(result.GetValue(extra) ?? [], CliHost.TerminationToken));
        return command;
    }

    private static async Task<int> RunAsync(string[] extraArguments, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await ServerPackages.EnsureInstalledAsync(ct);
        await SolutionBuild.RunAsync(Configuration, ct);

        var servers = new ServerSet(Instance.Test);
        await servers.StopAsync();
        Instance.Test.DeleteData();

        var resultsFolder = Path.Combine(Instance.Test.Folder, "results");
        int exitCode;
        try
        {
            await servers.StartAsync(ct);
            exitCode = await RunDotnetTestAsync(resultsFolder, extraArguments, ct);
        }
        finally
        {
            var stopped = await servers.StopAsync();
            if (stopped.Count > 0)
            {
                AnsiConsole.WriteLine($"Stopped the test servers ({string.Join(", ", stopped)}).");
            }

            // Throw-away data outside the checkout; results and logs stay in .stampede/test.
            ServerData.Delete(Instance.Test.DataFolder);
        }

        return Summarize(resultsFolder, exitCode, clock.Elapsed);
    }

    private static async Task<int> RunDotnetTestAsync(string resultsFolder, string[] extraArguments, CancellationToken ct)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            WorkingDirectory = Repository.Root,
        };
        foreach (var argument in (string[])["test", Repository.Solution, "--no-build", "-c", Configuration, "--logger", "trx", "--results-directory", resultsFolder, .. extraArguments])
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in Instance.Test.TestEnvironment)
        {
            info.Environment[name] = value;
        }

        AnsiConsole.WriteLine($"Running tests (dotnet test {string.Join(' ', info.ArgumentList.Skip(1))})");
        using var process = Process.Start(info) ?? throw new UserFacingException("Could not start dotnet test.");
        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw;
        }

        return process.ExitCode;
    }

    private static int Summarize(string resultsFolder, int dotnetTestExitCode, TimeSpan elapsed)
    {
        var results = TrxReport.ReadAll(resultsFolder);
        var table = new Table().Border(TableBorder.Rounded).AddColumns("test project", "passed", "failed", "skipped", "note");
        int passed = 0, failed = 0, skipped = 0;
        var problems = new List<string>();

        foreach (var project in TestProjects.InSolution())
        {
            var mine = results.Where(r => string.Equals(r.AssemblyName, project.AssemblyName, StringComparison.OrdinalIgnoreCase)).ToList();
            if (mine.Count == 0)
            {
                // No results file: the test host crashed or never started. That counts as a failure.
                failed++;
                problems.Add($"{project.Name} produced no results");
                table.AddRow(project.Name, "-", "[red]1[/]", "-", "[red]no results (crashed?)[/]");
                continue;
            }

            var p = mine.Sum(r => r.Passed);
            var f = mine.Sum(r => r.Failed);
            var s = mine.Sum(r => r.Skipped);
            var runFailed = mine.Any(r => r.RunFailed) && f == 0;
            if (runFailed)
            {
                f++;
                problems.Add($"{project.Name}: the test run failed outside any test");
            }

            passed += p;
            failed += f;
            skipped += s;
            table.AddRow(project.Name, p.ToString(), f > 0 ? $"[red]{f}[/]" : "0", s.ToString(), runFailed ? "[red]run failed[/]" : p + f + s == 0 ? "[yellow]no tests[/]" : "");
        }

        AnsiConsole.WriteLine();
        AnsiConsole.Write(table);
        AnsiConsole.WriteLine($"Results: {resultsFolder} ({elapsed.TotalSeconds:0} s in all)");
        foreach (var problem in problems)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(problem)}[/]");
        }

        var ok = failed == 0 && passed + failed > 0;
        if (passed + failed + skipped == 0)
        {
            AnsiConsole.MarkupLine("[red]No test ran.[/]");
        }
        else if (ok && dotnetTestExitCode != 0)
        {
            AnsiConsole.MarkupLine($"[red]dotnet test exited with code {dotnetTestExitCode}.[/]");
            ok = false;
        }

        // The closing line; CI and README rely on it being last.
        Console.Out.Flush();
        Console.WriteLine($"{passed} passed, {failed} failed, {skipped} skipped");
        return ok ? 0 : 1;
    }
}

using System.CommandLine;
using System.Runtime.InteropServices;
using Spectre.Console;

namespace Stampede.Cli;

/// <summary>Runs the parsed command with our own Ctrl+C/SIGTERM handling and friendly errors.</summary>
public static class CliHost
{
    private static readonly CancellationTokenSource Termination = new();

    /// <summary>Cancelled on the first Ctrl+C or SIGTERM; commands use it to stop what they started.</summary>
    public static CancellationToken TerminationToken => Termination.Token;

    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        // Stopping servers takes longer than System.CommandLine's 2 s grace period, so we handle the
        // signals ourselves: the first one cancels, the process then exits when cleanup is done.
        if (Console.IsOutputRedirected)
        {
            // CI logs and pipes: plain text, no cursor tricks, no wrapping of long lines.
            AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
            });
            AnsiConsole.Profile.Width = 200;
        }

        using var sigInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        var configuration = new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false };
        try
        {
            return await root.Parse(args).InvokeAsync(configuration, Termination.Token);
        }
        catch (UserFacingException ex)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]");
            if (!string.IsNullOrWhiteSpace(ex.Details))
            {
                // Plain lines: build errors and log tails are often wider than any frame.
                Console.WriteLine(ex.Details.TrimEnd());
            }

            return 1;
        }
        catch (OperationCanceledException) when (Termination.IsCancellationRequested)
        {
            AnsiConsole.MarkupLine("[yellow]Interrupted.[/]");
            return 130;
        }
        catch (Exception ex)
        {
            AnsiConsole.MarkupLine($"[red]Unexpected error: {Markup.Escape(ex.Message)}[/]");
            Console.Error.WriteLine(ex);
            return 1;
        }
    }

    private static void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        Termination.Cancel();
    }
}

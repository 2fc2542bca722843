using Spectre.Console;

namespace Stampede.Cli.Terminal;

/// <summary>A spinner on a terminal; a plain line when output goes to a file or CI log.</summary>
public static class Busy
{
    private static int liveDisplays;

    /// <summary>
    /// True when a live display may start: a real terminal and no other live display running (Spectre
    /// refuses two at once, e.g. a server start inside a caller's spinner).
    /// </summary>
    public static bool IsInteractive =>
        Volatile.Read(ref liveDisplays) == 0 &&
        !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive && AnsiConsole.Profile.Capabilities.Ansi;

    public static async Task RunAsync(string title, Func<Task> work)
    {
        if (!IsInteractive)
        {
            AnsiConsole.WriteLine($"{title}...");
            await work();
            return;
        }

        await RunLiveAsync(() => AnsiConsole.Status()
            .Spinner(Spinner.Known.Dots)
            .StartAsync(Markup.Escape(title), _ => work()));
    }

    /// <summary>Runs a Spectre live display, letting nested work know it must fall back to plain lines.</summary>
    public static async Task RunLiveAsync(Func<Task> display)
    {
        Interlocked.Increment(ref liveDisplays);
        try
        {
            await display();
        }
        finally
        {
            Interlocked.Decrement(ref liveDisplays);
        }
    }
}

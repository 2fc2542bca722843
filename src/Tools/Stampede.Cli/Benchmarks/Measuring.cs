using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Stampede.Cli.Benchmarks;

/// <summary>What every bench command needs once: percentiles, durations from options, timed setup steps.</summary>
public static class Measuring
{
    /// <summary>Nearest-rank percentile of sorted values, formatted for a table; "-" when there are none.</summary>
    public static string Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? "-" : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)].ToString("N0");

    /// <summary>30s, 2m, 500ms or a bare number of seconds.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        var value = text.Trim().ToLowerInvariant();
        var (number, unit) = value.EndsWith("ms") ? (value[..^2], 0.001) : value.EndsWith('s') ? (value[..^1], 1.0)
            : value.EndsWith('m') ? (value[..^1], 60.0) : (value, 1.0);
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) || amount <= 0)
        {
            throw new UserFacingException($"--duration '{text}' is not a duration: use e.g. 30s, 2m or 500ms.");
        }

        return TimeSpan.FromSeconds(amount * unit);
    }

    /// <summary>Runs a setup step under a spinner, then prints it with its time.</summary>
    public static async Task<T> TimedAsync<T>(string title, Func<Task<T>> action)
    {
        var clock = Stopwatch.StartNew();
        T result = default!;
        await Terminal.Busy.RunAsync(title, async () => result = await action());
        AnsiConsole.MarkupLine($"[green]✓[/] {Markup.Escape(title)} [grey]{clock.Elapsed.TotalSeconds:0.0} s[/]");
        return result;
    }
}

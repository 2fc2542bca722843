using System.Diagnostics;
using Spectre.Console;
using Stampede.Cli.Processes;

namespace Stampede.Cli.Terminal;

/// <summary>
/// Starts components wave by wave (everything in a wave at once), waiting until each is ready, with a
/// live display on a terminal and one line per event otherwise.
/// </summary>
public static class StartupRunner
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <param name="started">Told about every component this run launched, so the caller can stop them.</param>
    public static async Task RunAsync(
        IReadOnlyList<IReadOnlyList<Startable>> waves,
        TimeSpan timeout,
        Action<Startable> started,
        CancellationToken ct)
    {
        if (!Busy.IsInteractive)
        {
            await RunWavesAsync(waves, timeout, started, new LineView(), ct);
            return;
        }

        await Busy.RunLiveAsync(() => AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new SpinnerColumn { CompletedText = "[green]✔[/]" }, new TaskDescriptionColumn { Alignment = Justify.Left }, new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var view = new ProgressView(context, waves.SelectMany(w => w).ToList());
                await RunWavesAsync(waves, timeout, started, view, ct);
            }));
    }

    private static async Task RunWavesAsync(
        IReadOnlyList<IReadOnlyList<Startable>> waves,
        TimeSpan timeout,
        Action<Startable> started,
        IStartupView view,
        CancellationToken ct)
    {
        foreach (var wave in waves)
        {
            // The first failure cancels the rest of its wave, so we do not wait out their timeouts.
            using var waveCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var tasks = wave.Select(async s =>
            {
                try
                {
                    await StartOneAsync(s, timeout, started, view, waveCts.Token);
                }
                catch
                {
                    await waveCts.CancelAsync();
                    throw;
                }
            }).ToList();
            try
            {
                await Task.WhenAll(tasks);
            }
            catch
            {
                ct.ThrowIfCancellationRequested();
                var failure = tasks.Select(t => t.Exception?.InnerException).FirstOrDefault(e => e is not null and not OperationCanceledException);
                if (failure is not null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
                }

                throw;
            }
        }
    }

    private static async Task StartOneAsync(Startable startable, TimeSpan timeout, Action<Startable> started, IStartupView view, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        view.Starting(startable);
        try
        {
            var alreadyRunning = startable.Process.Running() is not null;
            if (!alreadyRunning)
            {
                Ports.EnsureFree(startable.Ports, startable.Name);

                // Reported before starting: a start that fails halfway may still have launched something.
                started(startable);
                await startable.StartAsync(ct);
            }

            while (!await startable.IsReadyAsync(ct))
            {
                if (startable.Process.Running() is null)
                {
                    throw new StartupFailedException(startable, "exited before it was ready");
                }

                if (clock.Elapsed > timeout)
                {
                    throw new StartupFailedException(startable, $"was not ready after {timeout.TotalSeconds:0} s");
                }

                await Task.Delay(PollInterval, ct);
            }

            view.Ready(startable, clock.Elapsed, alreadyRunning);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            view.Failed(startable);
            throw;
        }
    }

    private interface IStartupView
    {
        void Starting(Startable startable);

        void Ready(Startable startable, TimeSpan elapsed, bool alreadyRunning);

        void Failed(Startable startable);
    }

    private sealed class LineView : IStartupView
    {
        public void Starting(Startable startable) => AnsiConsole.WriteLine($"  starting {startable.Name} ({startable.Address})");

        public void Ready(Startable startable, TimeSpan elapsed, bool alreadyRunning) =>
            AnsiConsole.WriteLine(alreadyRunning
                ? $"  {startable.Name} was already running, ready"
                : $"  {startable.Name} ready in {elapsed.TotalSeconds:0.0} s");

        public void Failed(Startable startable) => AnsiConsole.WriteLine($"  {startable.Name} FAILED");
    }

    private sealed class ProgressView : IStartupView
    {
        private readonly Dictionary<Startable, ProgressTask> tasks = [];

        public ProgressView(ProgressContext context, IReadOnlyList<Startable> all)
        {
            foreach (var startable in all)
            {
                tasks[startable] = context.AddTask(Describe(startable, "[grey]waiting[/]"), autoStart: false, maxValue: 1);
            }
        }

        public void Starting(Startable startable)
        {
            var task = tasks[startable];
            task.Description = Describe(startable, "[yellow]starting[/]");
            task.IsIndeterminate = true;
            task.StartTask();
        }

        public void Ready(Startable startable, TimeSpan elapsed, bool alreadyRunning)
        {
            var task = tasks[startable];
            task.Description = Describe(startable, alreadyRunning ? "[green]already running[/]" : $"[green]ready[/] in {elapsed.TotalSeconds:0.0} s");
            task.IsIndeterminate = false;
            task.Value = 1;
            task.StopTask();
        }

        public void Failed(Startable startable)
        {
            var task = tasks[startable];
            task.Description = Describe(startable, "[red]failed[/]");
            task.StopTask();
        }

        private static string Describe(Startable startable, string state) =>
            $"{Markup.Escape(startable.Name),-10} {Markup.Escape(startable.Address),-28} {state}";
    }
}

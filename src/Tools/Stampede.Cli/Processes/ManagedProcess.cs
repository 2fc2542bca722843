using System.Diagnostics;

namespace Stampede.Cli.Processes;

/// <summary>
/// A process started in its own session, detached from the CLI, with its output in a log file and its
/// pid (plus start time, so a recycled pid is never mistaken for ours) in a pid file.
/// </summary>
public sealed class ManagedProcess(string name, string pidFile, string logFile)
{
    public string Name => name;

    public string LogFile => logFile;

    public ProcessEntry? Running()
    {
        if (!File.Exists(pidFile))
        {
            return null;
        }

        var parts = File.ReadAllText(pidFile).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2 || !int.TryParse(parts[0], out var pid) || !long.TryParse(parts[1], out var start))
        {
            return null;
        }

        return ProcessTable.Find(pid) is { IsAlive: true } entry && entry.StartTicks == start ? entry : null;
    }

    public async Task<int> StartAsync(LaunchSpec spec, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        Directory.CreateDirectory(Path.GetDirectoryName(pidFile)!);
        Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
        File.AppendAllText(logFile, $"{Environment.NewLine}=== stampede: starting {name} at {DateTimeOffset.Now:O} ==={Environment.NewLine}");

        // setsid gives the process its own session: Ctrl+C in our terminal does not reach it, it outlives
        // the CLI, and `down` can find everything it spawned by session id.
        var info = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            WorkingDirectory = spec.WorkingDirectory,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("log=$1; shift; exec setsid \"$@\" >>\"$log\" 2>&1 </dev/null");
        info.ArgumentList.Add("stampede-launch");
        info.ArgumentList.Add(logFile);
        if (spec.RunAsUser is { } user && ProcessTable.IsRoot)
        {
            foreach (var arg in new[] { "setpriv", $"--reuid={user}", $"--regid={user}", "--init-groups", "--" })
            {
                info.ArgumentList.Add(arg);
            }
        }

        info.ArgumentList.Add(spec.FileName);
        foreach (var arg in spec.Arguments)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in spec.Environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {name}.");
        var pid = process.Id;

        // Wait for the exec chain to reach setsid, so the recorded process is the session leader.
        for (var i = 0; i < 50; i++)
        {
            var entry = ProcessTable.Find(pid);
            if (entry is null || !entry.IsAlive)
            {
                break;
            }

            if (entry.SessionId == pid)
            {
                File.WriteAllText(pidFile, $"{pid} {entry.StartTicks}");
                return pid;
            }

            // Not cancellable: once launched, the pid file must be written or nothing could stop it.
            await Task.Delay(20, CancellationToken.None);
        }

        throw new UserFacingException($"{name} exited right after start. Last lines of {logFile}:", Tail(20));
    }

    /// <summary>Asks the process to stop, waits for it and its children, then kills what is left.</summary>
    public async Task<bool> StopAsync(int signal, TimeSpan timeout)
    {
        var entry = Running();
        if (entry is null)
        {
            ForgetPid();
            return false;
        }

        var family = ProcessTable.Family(entry.Pid);
        ProcessTable.Signal(entry.Pid, signal);

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout && StillAlive(family).Count > 0)
        {
            await Task.Delay(100);
        }

        var leftovers = StillAlive(family).Concat(ProcessTable.Family(entry.Pid)).DistinctBy(e => e.Pid).ToList();
        foreach (var leftover in leftovers)
        {
            ProcessTable.Signal(leftover.Pid, ProcessTable.SigKill);
        }

        for (var i = 0; i < 50 && StillAlive(leftovers).Count > 0; i++)
        {
            await Task.Delay(100);
        }

        ForgetPid();
        return true;
    }

    private void ForgetPid()
    {
        if (File.Exists(pidFile))
        {
            File.Delete(pidFile);
        }
    }

    public string Tail(int lines)
    {
        if (!File.Exists(logFile))
        {
            return "(no log yet)";
        }

        using var stream = new FileStream(logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(Math.Max(0, stream.Length - 64 * 1024), SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        var all = reader.ReadToEnd().Split('\n');
        return string.Join('\n', all.TakeLast(lines + 1)).TrimEnd();
    }

    private static List<ProcessEntry> StillAlive(IEnumerable<ProcessEntry> entries) =>
        entries.Where(e => ProcessTable.Find(e.Pid) is { IsAlive: true } now && now.StartTicks == e.StartTicks).ToList();
}

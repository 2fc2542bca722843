using System.Runtime.InteropServices;

namespace Stampede.Cli.Processes;

/// <summary>One row of /proc/&lt;pid&gt;/stat: what we need to follow a process and its children.</summary>
public sealed record ProcessEntry(int Pid, char State, int ParentPid, int SessionId, long StartTicks)
{
    public bool IsAlive => State is not ('Z' or 'X');
}

/// <summary>Reads the Linux process table and sends signals.</summary>
public static partial class ProcessTable
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    public static bool IsRoot => geteuid() == 0;

    public static ProcessEntry? Find(int pid)
    {
        try
        {
            return Parse(pid, File.ReadAllText($"/proc/{pid}/stat"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static IReadOnlyList<ProcessEntry> All()
    {
        var entries = new List<ProcessEntry>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && Find(pid) is { } entry)
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    /// <summary>The process, everything it started, and anything left in its session.</summary>
    public static IReadOnlyList<ProcessEntry> Family(int pid)
    {
        var all = All();
        var family = new Dictionary<int, ProcessEntry>();
        var queue = new Queue<int>([pid]);
        foreach (var entry in all.Where(e => e.SessionId == pid))
        {
            family[entry.Pid] = entry;
            queue.Enqueue(entry.Pid);
        }

        while (queue.TryDequeue(out var parent))
        {
            foreach (var child in all.Where(e => e.ParentPid == parent && !family.ContainsKey(e.Pid)))
            {
                family[child.Pid] = child;
                queue.Enqueue(child.Pid);
            }
        }

        if (all.FirstOrDefault(e => e.Pid == pid) is { } self)
        {
            family[pid] = self;
        }

        return family.Values.Where(e => e.IsAlive).ToList();
    }

    public static void Signal(int pid, int signal) => _ = kill(pid, signal);

    private static ProcessEntry? Parse(int pid, string stat)
    {
        // The command name sits in parentheses and may itself hold spaces or parentheses.
        var close = stat.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        var fields = stat[(close + 2)..].Split(' ');
        // After the name: state(0) ppid(1) pgrp(2) session(3) ... starttime(19).
        return new ProcessEntry(
            pid,
            fields[0][0],
            int.Parse(fields[1]),
            int.Parse(fields[3]),
            long.Parse(fields[19]));
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);

    [LibraryImport("libc")]
    private static partial uint geteuid();
}

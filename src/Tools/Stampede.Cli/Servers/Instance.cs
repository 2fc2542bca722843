using System.Text.Json;
using System.Text.Json.Serialization;
using Stampede.Cli.Processes;

namespace Stampede.Cli.Servers;

public sealed record ServerPorts(int Postgres, int Redis, int Amqp, int ErlangDistribution, int Epmd)
{
    [JsonIgnore]
    public IEnumerable<int> All => [Postgres, Redis, Amqp, ErlangDistribution, Epmd];

    public ServerPorts Shift(int by) => new(Postgres + by, Redis + by, Amqp + by, ErlangDistribution + by, Epmd + by);
}

/// <summary>
/// One private set of servers (data in <see cref="DataFolder"/>, pids in .stampede/&lt;name&gt;/) with ports of its own, so dev, test and bench
/// runs (and the machine's system services on default ports) never collide.
/// </summary>
public sealed record Instance(string Name, ServerPorts DefaultPorts, bool Durable)
{
    public static readonly Instance Dev = new("dev", new(15432, 16379, 15682, 15683, 15684), Durable: true);
    public static readonly Instance Test = new("test", new(25432, 26379, 25682, 25683, 25684), Durable: false);
    // Benchmarks measure what production pays for: commits that wait for the disk.
    public static readonly Instance Bench = new("bench", new(31432, 31379, 31682, 31683, 31684), Durable: true);

    public static IReadOnlyList<Instance> Known => [Dev, Test, Bench];

    public static Instance Named(string name) =>
        Known.FirstOrDefault(i => i.Name == name) ?? throw new UserFacingException($"Unknown instance '{name}' (known: {string.Join(", ", Known.Select(i => i.Name))}).");

    /// <summary>.stampede/&lt;name&gt; in the checkout: pids, ports and (but for dev) logs; what only the CLI reads.</summary>
    public string Folder => Path.Combine(Repository.StateFolder, Name);

    /// <summary>The servers' data and sockets, outside the checkout where their system users can reach them (see <see cref="ServerData"/>).</summary>
    public string DataFolder => Path.Combine(ServerData.CheckoutFolder, Name);

    /// <summary>Deletes the servers' data and the checkout's state of this instance (the servers must be stopped).</summary>
    public void DeleteData()
    {
        ServerData.Delete(DataFolder);
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }

    private string PortsFile => Path.Combine(Folder, "ports.json");

    /// <summary>The default ports, unless another checkout had them when this instance first started.</summary>
    public ServerPorts Ports =>
        File.Exists(PortsFile) && JsonSerializer.Deserialize<ServerPorts>(File.ReadAllText(PortsFile)) is { } recorded
            ? recorded
            : DefaultPorts;

    /// <summary>
    /// Before a start with nothing of ours running: keeps the ports when they are free, otherwise moves
    /// to a free block and records it, so a second checkout on the same machine gets its own servers.
    /// </summary>
    /// <returns>A note for the user when the ports moved, otherwise null.</returns>
    public string? ChoosePorts()
    {
        var listening = Processes.Ports.ListeningPorts();
        var taken = Ports.All.Where(listening.Contains).ToList();
        if (taken.Count == 0)
        {
            return null;
        }

        for (var shift = 10; shift <= 500; shift += 10)
        {
            var candidate = DefaultPorts.Shift(shift);
            if (!candidate.All.Any(listening.Contains) && !Known.Any(i => i != this && i.DefaultPorts.All.Intersect(candidate.All).Any()))
            {
                Directory.CreateDirectory(Folder);
                File.WriteAllText(PortsFile, JsonSerializer.Serialize(candidate));
                return $"Port {taken[0]} is taken by {Processes.Ports.DescribeOwner(taken[0])}; the '{Name}' servers use " +
                    $"{string.Join(", ", candidate.All)} instead (kept in {PortsFile}).";
            }
        }

        return null;
    }

    /// <summary>The dev logs sit at .stampede/logs, where the README points; other instances keep theirs inside.</summary>
    public string LogsFolder => this == Dev ? Path.Combine(Repository.StateFolder, "logs") : Path.Combine(Folder, "logs");

    public string PidsFolder => Path.Combine(Folder, "pids");

    public string PostgresConnectionString => $"Host=127.0.0.1;Port={Ports.Postgres};Username=stampede;Password=stampede";

    public string RedisAddress => $"127.0.0.1:{Ports.Redis}";

    public string RabbitMqUri => $"amqp://stampede:stampede@127.0.0.1:{Ports.Amqp}/";

    public string PostgresConnectionStringFor(string database) => $"{PostgresConnectionString};Database={database}";

    public ManagedProcess Process(string name) =>
        new(name, Path.Combine(PidsFolder, $"{name}.pid"), Path.Combine(LogsFolder, $"{name}.log"));

    /// <summary>The variables tests read to find the servers.</summary>
    public IReadOnlyDictionary<string, string> TestEnvironment => new Dictionary<string, string>
    {
        ["STAMPEDE_POSTGRES"] = PostgresConnectionString,
        ["STAMPEDE_REDIS"] = RedisAddress,
        ["STAMPEDE_RABBITMQ"] = RabbitMqUri,
    };
}

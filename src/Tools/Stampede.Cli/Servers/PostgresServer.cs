using Npgsql;
using Stampede.Cli.Processes;

namespace Stampede.Cli.Servers;

/// <summary>A private PostgreSQL 15 cluster: superuser `stampede`, trust auth, loopback only.</summary>
public sealed class PostgresServer(Instance instance) : IServer
{
    private const string BinFolder = "/usr/lib/postgresql/15/bin";
    private const string User = "postgres";
    // Unix socket paths are limited to 107 bytes; past that we go TCP-only.
    private const int MaxSocketFolderLength = 90;

    private string Folder => Path.Combine(instance.DataFolder, "postgres");

    private string DataFolder => Path.Combine(Folder, "data");

    public string Name => "postgres";

    public int Port => instance.Ports.Postgres;

    public IReadOnlyList<int> Ports => [Port];

    public ManagedProcess Process { get; } = instance.Process("postgres");

    public async Task StartAsync(CancellationToken ct)
    {
        await SystemUser.GiveFolderAsync(Folder, User, ct);
        if (!File.Exists(Path.Combine(DataFolder, "PG_VERSION")))
        {
            await InitializeAsync(ct);
        }

        var socketFolder = Folder.Length <= MaxSocketFolderLength ? Folder : "";
        List<string> arguments =
        [
            "-D", DataFolder,
            "-p", Port.ToString(),
            "-k", socketFolder,
            "-c", "listen_addresses=127.0.0.1",
            "-c", "max_connections=300",
        ];
        if (!instance.Durable)
        {
            // Throw-away data: trade crash safety for speed.
            arguments.AddRange(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]);
        }

        await Process.StartAsync(new LaunchSpec(Path.Combine(BinFolder, "postgres"), arguments, Folder) { RunAsUser = User }, ct);
    }

    public async Task<bool> IsReadyAsync(CancellationToken ct)
    {
        try
        {
            await using var connection = new NpgsqlConnection($"{instance.PostgresConnectionString};Database=postgres;Pooling=false;Timeout=3");
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(ct);
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
        {
            return false;
        }
    }

    // SIGINT is PostgreSQL's "fast" shutdown: it does not wait for clients to disconnect.
    public Task<bool> StopAsync() => Process.StopAsync(ProcessTable.SigInt, TimeSpan.FromSeconds(30));

    /// <summary>Creates the database unless it exists (services also do this at start; doing it here keeps logs quiet).</summary>
    public async Task EnsureDatabaseAsync(string database, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection($"{instance.PostgresConnectionString};Database=postgres;Pooling=false");
        await connection.OpenAsync(ct);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection);
        exists.Parameters.AddWithValue(database);
        if (await exists.ExecuteScalarAsync(ct) is not null)
        {
            return;
        }

        try
        {
            // Identifiers cannot be parameters; the name comes from the service catalog, quoted anyway.
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.Replace("\"", "\"\"")}\"", connection);
            await create.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // A service created it at the same moment.
        }
    }

    private async Task InitializeAsync(CancellationToken ct)
    {
        if (Directory.Exists(DataFolder))
        {
            Directory.Delete(DataFolder, recursive: true);
        }

        var result = await CommandLine.RunAsAsync(
            User,
            Path.Combine(BinFolder, "initdb"),
            ["-D", DataFolder, "-U", "stampede", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"],
            ct);
        Directory.CreateDirectory(Path.GetDirectoryName(Process.LogFile)!);
        await File.AppendAllTextAsync(Process.LogFile, result.Output, ct);
        if (!result.Succeeded)
        {
            throw new UserFacingException($"initdb failed for {DataFolder}.", result.Output);
        }
    }
}

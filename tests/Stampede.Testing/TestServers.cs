using Npgsql;

namespace Stampede.Testing;

/// <summary>The real PostgreSQL, Redis and RabbitMQ a test run talks to. <c>./stampede test</c>
/// starts them and sets these variables; <c>./stampede servers start --instance test</c> prints
/// them for running tests from an IDE.</summary>
public static class TestServers
{
    public static string Postgres => Require("STAMPEDE_POSTGRES");
    public static string Redis => Require("STAMPEDE_REDIS");
    public static string RabbitMq => Require("STAMPEDE_RABBITMQ");

    /// <summary>A connection string for a database no other test uses; the service's migrator
    /// creates it on start (or call <see cref="CreateDatabaseAsync"/>).</summary>
    public static string NewDatabase(string prefix) =>
        new NpgsqlConnectionStringBuilder(Postgres)
        {
            Database = $"{prefix.ToLowerInvariant()}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 63)],
        }.ConnectionString;

    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        var connectionString = NewDatabase(prefix);
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Postgres) { Database = "postgres" }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
        await command.ExecuteNonQueryAsync();
        return connectionString;
    }

    /// <summary>Drops a test's database (the servers are shared: leave nothing behind), closing the
    /// pooled connections to it first.</summary>
    public static async Task DropDatabaseAsync(string connectionString)
    {
        NpgsqlConnection.ClearAllPools();
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Postgres) { Database = "postgres" }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database.Replace("\"", "\"\"")}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    private static string Require(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{name} is not set. Run the tests with `./stampede test`, or start servers with " +
                "`./stampede servers start --instance test` and export what it prints.");
}

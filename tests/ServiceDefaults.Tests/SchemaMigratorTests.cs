using Dapper;
using Npgsql;
using Stampede.ServiceDefaults.Persistence;
using Stampede.Testing;

namespace Stampede.ServiceDefaults.Tests;

public class SchemaMigratorTests
{
    [Fact]
    public async Task Migrations_create_the_database_and_apply_in_order_once()
    {
        await using var dataSource = NpgsqlDataSource.Create(TestServers.NewDatabase("migrate"));
        var first = await SchemaMigrator.ApplyAsync(dataSource, typeof(SchemaMigratorTests).Assembly, CancellationToken.None);
        var second = await SchemaMigrator.ApplyAsync(dataSource, typeof(SchemaMigratorTests).Assembly, CancellationToken.None);

        first.ShouldBe(["0001_widgets", "0002_widget_colour"]);
        second.ShouldBeEmpty();
        await using var connection = await dataSource.OpenConnectionAsync();
        (await connection.QuerySingleAsync<string>("SELECT colour FROM widgets WHERE id = 1")).ShouldBe("red");
    }

    [Fact]
    public async Task Instances_starting_together_apply_each_migration_exactly_once()
    {
        var connectionString = TestServers.NewDatabase("migrate");
        var sources = Enumerable.Range(0, 4).Select(_ => NpgsqlDataSource.Create(connectionString)).ToList();
        try
        {
            var results = await Task.WhenAll(sources.Select(s => Task.Run(() => SchemaMigrator.ApplyAsync(s, typeof(SchemaMigratorTests).Assembly, CancellationToken.None))));
            results.Sum(r => r.Count).ShouldBe(2);
            await using var connection = await sources[0].OpenConnectionAsync();
            (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM widgets")).ShouldBe(1);
        }
        finally
        {
            foreach (var source in sources) await source.DisposeAsync();
        }
    }
}

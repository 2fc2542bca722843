using Dapper;
using Shouldly;
using Stampede.Messaging.Tests.Infrastructure;

namespace Stampede.Messaging.Tests.Schema;

public sealed class MessagingSchemaTests
{
    [Fact]
    public async Task Several_instances_can_create_the_schema_at_the_same_time()
    {
        await using var database = await TestDatabase.CreateAsync("schema");

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => MessagingSchema.EnsureSchemaAsync(database.DataSource, CancellationToken.None)));
        await MessagingSchema.EnsureSchemaAsync(database.DataSource, CancellationToken.None);

        await using var connection = await database.DataSource.OpenConnectionAsync(TestContext.Current.CancellationToken);
        (await connection.QueryAsync<string>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'messaging' ORDER BY 1"))
            .ShouldBe(["inbox", "outbox", "subscriptions"]);
    }

    [Fact]
    public void The_schema_text_is_exposed_for_migrators()
    {
        MessagingSchema.Sql.ShouldContain("CREATE TABLE IF NOT EXISTS messaging.outbox");
        MessagingSchema.Sql.ShouldContain("CREATE TABLE IF NOT EXISTS messaging.inbox");
    }

    [Fact]
    public async Task Sent_rows_and_old_inbox_rows_are_deleted_after_their_retention()
    {
        await using var database = await TestDatabase.CreateAsync("retention");
        await MessagingSchema.EnsureSchemaAsync(database.DataSource, CancellationToken.None);
        await using var connection = await database.DataSource.OpenConnectionAsync(TestContext.Current.CancellationToken);
        await connection.ExecuteAsync("""
            INSERT INTO messaging.outbox (event_id, event_name, payload, created_at, sent_at) VALUES
                (gen_random_uuid(), 'old.sent.v1', '{}', now() - interval '9 days', now() - interval '8 days'),
                (gen_random_uuid(), 'new.sent.v1', '{}', now() - interval '1 hour', now()),
                (gen_random_uuid(), 'old.unsent.v1', '{}', now() - interval '9 days', NULL);
            INSERT INTO messaging.inbox (subscription, message_id, event_name, handled_at) VALUES
                ('s', gen_random_uuid(), 'old.v1', now() - interval '15 days'),
                ('s', gen_random_uuid(), 'new.v1', now());
            """);

        var deleted = await RetentionCleanup.CleanAsync(database.DataSource, new MessagingOptions(), CancellationToken.None);

        deleted.ShouldBe(2);
        (await connection.QueryAsync<string>("SELECT event_name FROM messaging.outbox ORDER BY 1")).ShouldBe(["new.sent.v1", "old.unsent.v1"]);
        (await connection.QueryAsync<string>("SELECT event_name FROM messaging.inbox")).ShouldBe(["new.v1"]);
    }
}

using Microsoft.Extensions.DependencyInjection;
using Stampede.Payment.Pg;
using Stampede.Payment.Tests.Infrastructure;

namespace Stampede.Payment.Tests.Pg;

public sealed class PgClientTests(PaymentApp app) : IClassFixture<PaymentApp>
{
    [Fact]
    public async Task A_read_that_meets_a_PG_server_error_is_repeated_and_answered()
    {
        var session = await app.OpenSessionAsync(amount: 11_000);
        var pgOrderId = session.OrderId.ToString("N");
        await app.Pg.SwitchOnAsync(new { mode = "server-error", operation = "get", orderId = pgOrderId, count = 1 });
        var pg = app.Services.GetRequiredService<PgClient>();

        var read = await pg.GetByOrderIdAsync(pgOrderId, CancellationToken.None);

        read.Succeeded.ShouldBeTrue(read.Describe());
        read.Value!.TotalAmount.ShouldBe(11_000);
    }

    [Fact]
    public async Task A_create_that_meets_a_PG_server_error_is_not_repeated()
    {
        var pgOrderId = Guid.NewGuid().ToString("N");
        await app.Pg.SwitchOnAsync(new { mode = "server-error", operation = "create", orderId = pgOrderId, count = 1 });
        var pg = app.Services.GetRequiredService<PgClient>();

        var created = await pg.CreateAsync(pgOrderId, 9_000, "Linen shirt", "http://127.0.0.1/success", "http://127.0.0.1/fail",
            "http://127.0.0.1/webhook", null, pgOrderId, CancellationToken.None);

        created.Outage.ShouldNotBeNull().Kind.ShouldBe(PgOutageKind.ServerError);
        // Had the client sent it again, the rule (used up by the first) would have let the PG create it.
        (await pg.GetByOrderIdAsync(pgOrderId, CancellationToken.None)).Refusal.ShouldNotBeNull();
    }
}

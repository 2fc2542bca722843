using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Stampede.Ordering.Orders;
using Stampede.Ordering.Persistence;
using Stampede.Ordering.Tests.Infrastructure;

namespace Stampede.Ordering.Tests.Saga;

/// <summary>The order row's version, shown step by step: two writers that read the same version
/// cannot both write; the loser reads again and decides on what the winner left.</summary>
public sealed class OptimisticConcurrencyTests(OrderingApp app) : IClassFixture<OrderingApp>
{
    private OrderStore Store => app.Factory.Services.GetRequiredService<OrderStore>();
    private NpgsqlDataSource Database => app.Factory.Services.GetRequiredService<NpgsqlDataSource>();

    [Fact]
    public async Task A_writer_holding_a_stale_version_writes_nothing_and_redecides_on_the_winners_state()
    {
        using var client = app.NewCustomer();
        var placed = await app.PlaceAwaitingPaymentAsync(client);
        var paymentId = app.Payment.SessionOf(placed.OrderId).PaymentId;

        await using var buyer = await Database.OpenConnectionAsync();
        await using var buyerTransaction = await buyer.BeginTransactionAsync();
        await using var payment = await Database.OpenConnectionAsync();
        await using var paymentTransaction = await payment.BeginTransactionAsync();
        var cancelling = (await Store.FindAsync(buyer, buyerTransaction, placed.OrderId, default))!;
        var paying = (await Store.FindAsync(payment, paymentTransaction, placed.OrderId, default))!;
        paying.Version.ShouldBe(cancelling.Version);

        cancelling.Cancel(CancelOrder.Reason, DateTimeOffset.UtcNow);
        (await Store.TrySaveAsync(cancelling, buyerTransaction, default)).ShouldBeTrue();
        paying.AcceptCapturedPayment(paymentId, paying.Total, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
        // The loser's UPDATE waits on the winner's row lock and, once the winner commits, finds another version.
        var stale = Store.TrySaveAsync(paying, paymentTransaction, default);
        await Task.Delay(300);
        stale.IsCompleted.ShouldBeFalse();
        await buyerTransaction.CommitAsync();
        (await stale).ShouldBeFalse();

        var redecided = await Store.ChangeAsync(paymentTransaction, placed.OrderId,
            order => order.AcceptCapturedPayment(paymentId, order.Total, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow), default);
        await paymentTransaction.CommitAsync();

        redecided!.Status.ShouldBe(OrderStatus.Cancelled);
        var final = await app.OrderAsync(placed.OrderId);
        final.History.Select(change => change.Status).ShouldBe(["AwaitingStock", "AwaitingPayment", "Cancelled"]);
        (await app.OutboxCountAsync("ordering.order-paid.v1", placed.OrderId)).ShouldBe(0);
        (await app.OutboxCountAsync("ordering.refund-requested.v1", placed.OrderId)).ShouldBe(1);
    }
}

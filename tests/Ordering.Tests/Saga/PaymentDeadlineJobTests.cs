using Microsoft.Extensions.DependencyInjection;
using Stampede.Ordering.Saga;
using Stampede.Ordering.Tests.Infrastructure;

namespace Stampede.Ordering.Tests.Saga;

/// <summary>Ordering with a 1-second deadline whose own job practically never runs, so the tests run
/// several jobs themselves, as several ordering instances would.</summary>
public sealed class ManualDeadlineApp : OrderingApp
{
    protected override TimeSpan PaymentDeadline => TimeSpan.FromSeconds(1);

    protected override TimeSpan DeadlineJobInterval => TimeSpan.FromHours(1);

    protected override int DeadlineJobBatchSize => 7;

    public PaymentDeadlineJob NewJob() => ActivatorUtilities.CreateInstance<PaymentDeadlineJob>(Factory.Services);
}

public sealed class PaymentDeadlineJobTests(ManualDeadlineApp app) : IClassFixture<ManualDeadlineApp>
{
    [Fact]
    public async Task Several_deadline_jobs_at_once_expire_each_order_exactly_once()
    {
        using var client = app.NewCustomer();
        var orders = new List<Guid>();
        for (var i = 0; i < 60; i++) orders.Add((await app.PlaceSimpleAsync(client)).OrderId);
        await Task.Delay(TimeSpan.FromSeconds(1.1));

        var jobs = Enumerable.Range(0, 4).Select(_ => app.NewJob()).ToList();
        var expired = await Task.WhenAll(jobs.Select(job => Task.Run(() => job.ExpireOverdueOrdersAsync(CancellationToken.None))));

        expired.Sum().ShouldBe(60);
        (await app.NewJob().ExpireOverdueOrdersAsync(CancellationToken.None)).ShouldBe(0);
        var ids = orders.Select(id => id.ToString()).ToArray();
        (await app.ScalarAsync<long>(
            "SELECT count(*) FROM messaging.outbox WHERE event_name = 'ordering.order-expired.v1' AND payload->>'orderId' = ANY(@ids)", new { ids }))
            .ShouldBe(60);
        (await app.ScalarAsync<long>(
            "SELECT count(DISTINCT payload->>'orderId') FROM messaging.outbox WHERE event_name = 'ordering.order-expired.v1' AND payload->>'orderId' = ANY(@ids)", new { ids }))
            .ShouldBe(60);
        (await app.ScalarAsync<long>("SELECT count(*) FROM order_status_history WHERE status = 'Expired' AND order_id = ANY(@orders)", new { orders = orders.ToArray() }))
            .ShouldBe(60);
    }

    [Fact]
    public async Task A_capture_racing_the_deadline_job_either_pays_or_is_refunded_never_both()
    {
        using var client = app.NewCustomer();
        var orders = await Task.WhenAll(Enumerable.Range(0, 25).Select(_ => app.PlaceAwaitingPaymentAsync(client)));
        await Task.Delay(TimeSpan.FromSeconds(1.1));

        var captures = orders.Select(order => Task.Run(() => app.Broker.PublishAsync(app.CaptureFor(order)))).ToList();
        var jobs = Enumerable.Range(0, 2).Select(_ => Task.Run(() => app.NewJob().ExpireOverdueOrdersAsync(CancellationToken.None))).ToList();
        await Task.WhenAll(captures);
        await Task.WhenAll(jobs);

        foreach (var order in orders)
        {
            var settled = await app.WaitForOrderAsync(order.OrderId, current => current.Status is "Paid" or "Expired");
            await WaitForPaymentRecordAsync(order.OrderId);
            var paid = await app.OutboxCountAsync("ordering.order-paid.v1", order.OrderId);
            var expired = await app.OutboxCountAsync("ordering.order-expired.v1", order.OrderId);
            var refunds = await app.OutboxCountAsync("ordering.refund-requested.v1", order.OrderId);
            (paid, expired, refunds).ShouldBe(settled.Status == "Paid" ? (1L, 0L, 0L) : (0L, 1L, 1L), $"order {order.OrderId} is {settled.Status}");
        }
    }

    private async Task WaitForPaymentRecordAsync(Guid orderId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (await app.ScalarAsync<long>("SELECT count(*) FROM order_payments WHERE order_id = @orderId", new { orderId }) == 0)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The capture of order {orderId} was never handled.");
            await Task.Delay(25);
        }
    }
}

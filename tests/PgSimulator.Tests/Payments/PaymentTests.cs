using Stampede.PgSimulator.Payments;

namespace Stampede.PgSimulator.Tests.Payments;

/// <summary>The aggregate's own rules, without HTTP.</summary>
public sealed class PaymentTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    private static Payment NewPayment(long amount = 10_000) =>
        new("pk_test", "order-000001", "Socks", amount, "https://s.test/ok", "https://s.test/no", null, "http://pg/checkout/pk_test", Start);

    [Fact]
    public void Confirm_captures_only_an_approved_payment_and_announces_it()
    {
        var payment = NewPayment();
        payment.Confirm("order-000001", 10_000, Start, "tx1")!.Code.ShouldBe(PgErrorCodes.PaymentNotApproved);
        payment.Approve(Start).ShouldBeNull();
        payment.TakeStatusChanges().ShouldBeEmpty();

        payment.Confirm("order-000001", 10_000, Start, "tx1").ShouldBeNull();

        payment.Status.ShouldBe(PaymentStatus.Done);
        payment.BalanceAmount.ShouldBe(10_000);
        payment.TakeStatusChanges().Select(v => v.Status).ShouldBe([PaymentStatus.Done]);
    }

    [Fact]
    public void A_mismatched_confirm_changes_nothing()
    {
        var payment = NewPayment();
        payment.Approve(Start);

        payment.Confirm("order-000001", 9_999, Start, "tx1")!.Code.ShouldBe(PgErrorCodes.InvalidAmount);
        payment.Confirm("order-000002", 10_000, Start, "tx1")!.Code.ShouldBe(PgErrorCodes.NotMatchesOrderId);

        payment.Status.ShouldBe(PaymentStatus.InProgress);
        payment.ApprovedAt.ShouldBeNull();
        payment.TakeStatusChanges().ShouldBeEmpty();
    }

    [Fact]
    public void Cancels_never_refund_more_than_was_captured()
    {
        var payment = NewPayment();
        payment.Approve(Start);
        payment.Confirm("order-000001", 10_000, Start, "tx1");

        payment.Cancel("a", 4_000, Start, "tx2").ShouldBeNull();
        payment.Cancel("b", 6_001, Start, "tx3")!.Code.ShouldBe(PgErrorCodes.NotCancelableAmount);
        payment.Cancel("c", null, Start, "tx4").ShouldBeNull();

        payment.Status.ShouldBe(PaymentStatus.Canceled);
        payment.Cancels.Sum(c => c.CancelAmount).ShouldBe(10_000);
        payment.Cancel("d", null, Start, "tx5")!.Code.ShouldBe(PgErrorCodes.AlreadyCanceledPayment);
    }

    [Fact]
    public void A_ready_payment_expires_after_the_checkout_expiry_and_an_approved_one_after_the_confirm_expiry()
    {
        var unanswered = NewPayment();
        unanswered.ExpireIfDue(Start.AddMinutes(29), TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(10));
        unanswered.Status.ShouldBe(PaymentStatus.Ready);
        unanswered.ExpireIfDue(Start.AddMinutes(30), TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(10));
        unanswered.Status.ShouldBe(PaymentStatus.Expired);

        var unconfirmed = NewPayment();
        unconfirmed.Approve(Start.AddMinutes(25));
        unconfirmed.ExpireIfDue(Start.AddMinutes(34), TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(10));
        unconfirmed.Status.ShouldBe(PaymentStatus.InProgress);
        unconfirmed.ExpireIfDue(Start.AddMinutes(35), TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(10));
        unconfirmed.Status.ShouldBe(PaymentStatus.Expired);
        unconfirmed.Failure!.Code.ShouldBe(PgErrorCodes.PaymentExpired);
    }

    [Fact]
    public void A_captured_payment_never_expires()
    {
        var payment = NewPayment();
        payment.Approve(Start);
        payment.Confirm("order-000001", 10_000, Start, "tx1");

        payment.ExpireIfDue(Start.AddDays(30), TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(10));

        payment.Status.ShouldBe(PaymentStatus.Done);
    }
}

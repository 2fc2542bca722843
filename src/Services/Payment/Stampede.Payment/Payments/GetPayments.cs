using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.Payment.Persistence;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.Payment.Payments;

public sealed record LedgerLine(string Kind, long Amount, DateTimeOffset At, string? PgTransactionKey, string? Reason);

public sealed record PaymentDetails(
    Guid PaymentId, Guid OrderId, string OrderNumber, Guid UserId, string Status, long Amount, string Currency, long CapturedAmount,
    long RefundedAmount, string PaymentUrl, string? FailureReason, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    IReadOnlyList<LedgerLine> Ledger);

public sealed record PaymentSummary(
    Guid PaymentId, Guid OrderId, string OrderNumber, Guid UserId, string Status, long Amount, string Currency, long CapturedAmount,
    long RefundedAmount, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record PaymentPage(IReadOnlyList<PaymentSummary> Items, int Page, int PageSize, long Total);

/// <summary>GET /payments/orders/{orderId}: an order's payment with its ledger, for the order's buyer
/// (anyone else gets a 404, as if it did not exist) or an admin. GET /admin/payments?status=&amp;page=&amp;pageSize=:
/// every payment, newest first, for admins.</summary>
public static class GetPayments
{
    public const int MaxPageSize = 100;

    public static async Task<Results<Ok<PaymentDetails>, ProblemHttpResult>> ForOrderAsync(
        Guid orderId, ClaimsPrincipal user, NpgsqlDataSource database, PaymentStore payments, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var payment = await payments.FindByOrderIdAsync(connection, null, orderId, cancellationToken);
        if (payment is null || (payment.UserId != user.UserId() && !user.IsAdmin())) return PaymentProblems.PaymentNotFound(orderId.ToString());
        return TypedResults.Ok(new PaymentDetails(payment.Id, payment.OrderId, payment.OrderNumber, payment.UserId, payment.Status.ToString(),
            payment.Amount, payment.Currency, payment.CapturedAmount, payment.RefundedAmount, payment.PaymentUrl, payment.FailureReason,
            payment.CreatedAt, payment.UpdatedAt,
            [.. payment.Ledger.Select(entry => new LedgerLine(entry.Kind, entry.Amount, entry.At, entry.PgTransactionKey, entry.Reason))]));
    }

    public static async Task<Results<Ok<PaymentPage>, ValidationProblem>> ListAsync(
        string? status, int? page, int? pageSize, NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        PaymentStatus? wanted = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (Enum.TryParse<PaymentStatus>(status, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !status.Any(char.IsDigit))
                wanted = parsed;
            else errors["status"] = ["The status must be one of " + string.Join(", ", Enum.GetNames<PaymentStatus>()) + "."];
        }

        if (page is < 1) errors["page"] = ["The page must be 1 or more."];
        if (pageSize is < 1 or > MaxPageSize) errors["pageSize"] = [$"The pageSize must be 1 to {MaxPageSize}."];
        if (errors.Count > 0) return PaymentProblems.Invalid(errors);

        var (number, size) = (page ?? 1, pageSize ?? 20);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var parameters = new { status = wanted?.ToString(), limit = size, offset = (long)(number - 1) * size };
        var rows = await connection.QueryAsync<SummaryRow>(new CommandDefinition("""
            SELECT id, order_id, order_number, user_id, status, amount, currency, captured_amount, refunded_amount, created_at, updated_at
            FROM payments WHERE @status::text IS NULL OR status = @status
            ORDER BY created_at DESC, id DESC LIMIT @limit OFFSET @offset
            """, parameters, cancellationToken: cancellationToken));
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM payments WHERE @status::text IS NULL OR status = @status", parameters, cancellationToken: cancellationToken));
        var items = rows.Select(row => new PaymentSummary(row.Id, row.OrderId, row.OrderNumber, row.UserId, row.Status, row.Amount, row.Currency,
            row.CapturedAmount, row.RefundedAmount, row.CreatedAt, row.UpdatedAt));
        return TypedResults.Ok(new PaymentPage([.. items], number, size, total));
    }

    private sealed class SummaryRow
    {
        public Guid Id { get; init; }
        public Guid OrderId { get; init; }
        public string OrderNumber { get; init; } = "";
        public Guid UserId { get; init; }
        public string Status { get; init; } = "";
        public long Amount { get; init; }
        public string Currency { get; init; } = "";
        public long CapturedAmount { get; init; }
        public long RefundedAmount { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
    }
}

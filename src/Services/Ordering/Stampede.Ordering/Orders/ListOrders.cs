using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.Ordering.Http;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.Ordering.Orders;

/// <summary>GET /orders (the caller's own, newest first) and GET /admin/orders?status= (everyone's).</summary>
public static class ListOrders
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    public static async Task<Results<Ok<OrderPage>, ValidationProblem>> HandleAsync(
        int? page, int? pageSize, ClaimsPrincipal user, NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        var errors = ValidatePaging(page, pageSize);
        if (!errors.IsEmpty) return errors.ToProblem();
        return TypedResults.Ok(await QueryAsync(database, user.UserId(), status: null, page ?? 1, pageSize ?? DefaultPageSize, cancellationToken));
    }

    public static async Task<Results<Ok<OrderPage>, ValidationProblem>> HandleForAdminAsync(
        string? status, int? page, int? pageSize, NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        var errors = ValidatePaging(page, pageSize);
        OrderStatus? filter = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (Enum.TryParse<OrderStatus>(status, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(status, out _))
                filter = parsed;
            else
                errors.Add("status", $"Unknown status '{status}'; one of {string.Join(", ", Enum.GetNames<OrderStatus>())}.");
        }

        if (!errors.IsEmpty) return errors.ToProblem();
        return TypedResults.Ok(await QueryAsync(database, userId: null, filter, page ?? 1, pageSize ?? DefaultPageSize, cancellationToken));
    }

    private static FieldErrors ValidatePaging(int? page, int? pageSize)
    {
        var errors = new FieldErrors();
        if (page is < 1) errors.Add("page", "The page starts at 1.");
        if (pageSize is < 1 or > MaxPageSize) errors.Add("pageSize", $"The page size is between 1 and {MaxPageSize}.");
        return errors;
    }

    private static async Task<OrderPage> QueryAsync(
        NpgsqlDataSource database, Guid? userId, OrderStatus? status, int page, int pageSize, CancellationToken cancellationToken)
    {
        const string filter = "(@userId::uuid IS NULL OR user_id = @userId) AND (@status::text IS NULL OR status = @status)";
        var parameters = new { userId, status = status?.ToString(), limit = pageSize, offset = (long)(page - 1) * pageSize };
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT count(*) FROM orders WHERE {filter}", parameters, cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<SummaryRow>(new CommandDefinition($"""
            SELECT id, order_number, user_id, status, total, currency, created_at
            FROM orders WHERE {filter}
            ORDER BY created_at DESC, id DESC
            LIMIT @limit OFFSET @offset
            """, parameters, cancellationToken: cancellationToken));
        return new OrderPage(
            [.. rows.Select(row => new OrderSummary(row.Id, row.OrderNumber, row.UserId, row.Status, row.Total, row.Currency, row.CreatedAt))],
            page, pageSize, total);
    }

    private sealed class SummaryRow
    {
        public Guid Id { get; init; }
        public string OrderNumber { get; init; } = "";
        public Guid UserId { get; init; }
        public string Status { get; init; } = "";
        public long Total { get; init; }
        public string Currency { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
    }
}

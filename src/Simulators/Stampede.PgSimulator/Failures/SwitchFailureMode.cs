using Microsoft.AspNetCore.Http.HttpResults;

namespace Stampede.PgSimulator.Failures;

/// <summary><c>POST /sim/failures</c> {mode, orderId?, paymentKey?, operation?, count?, delayMs?}.</summary>
public sealed record SwitchFailureModeRequest(string? Mode, string? OrderId, string? PaymentKey, string? Operation, int? Count, int? DelayMs);

/// <summary>Simulator control: switch failures on and off. Unauthenticated on purpose (it is a
/// test fixture, not part of the PG's API), and kept apart from the merchant API under <c>/sim</c>.</summary>
public static class SwitchFailureMode
{
    public const int MaxDelayMs = 10 * 60 * 1000;

    public static RouteGroupBuilder MapFailureModes(this RouteGroupBuilder sim)
    {
        sim.MapPost("/failures", Switch);
        sim.MapGet("/failures", (FailureModes failures) => TypedResults.Ok(failures.List()));
        sim.MapDelete("/failures", (FailureModes failures) =>
        {
            failures.Clear();
            return TypedResults.NoContent();
        });
        sim.MapDelete("/failures/{id}", Results<NoContent, NotFound> (string id, FailureModes failures) =>
            failures.Remove(id) ? TypedResults.NoContent() : TypedResults.NotFound());
        return sim;
    }

    public static Results<Created<FailureRule>, ValidationProblem> Switch(SwitchFailureModeRequest request, FailureModes failures, TimeProvider time)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(request.Mode)) errors["mode"] = ["The mode is required: one of " + string.Join(", ", FailureMode.All) + "."];
        else if (!FailureMode.All.Contains(request.Mode)) errors["mode"] = [$"Unknown mode '{request.Mode}': use one of " + string.Join(", ", FailureMode.All) + "."];
        if (request.Operation is not null)
        {
            if (request.Mode != FailureMode.ServerError) errors["operation"] = ["An operation narrows only the server-error mode."];
            else if (!MerchantOperation.All.Contains(request.Operation)) errors["operation"] = ["The operation must be one of " + string.Join(", ", MerchantOperation.All) + "."];
        }
        if (request.Count is < 1) errors["count"] = ["The count must be at least 1 (leave it out for no limit)."];
        if (request.DelayMs is < 0 or > MaxDelayMs) errors["delayMs"] = [$"The delayMs must be between 0 and {MaxDelayMs}."];
        if (request.OrderId is { Length: 0 or > 64 }) errors["orderId"] = ["The orderId must be 1 to 64 characters."];
        if (request.PaymentKey is { Length: 0 or > 200 }) errors["paymentKey"] = ["The paymentKey must be 1 to 200 characters."];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors, title: "The request is invalid.", detail: "See errors for the fields to correct: " + string.Join(", ", errors.Keys) + ".");

        var rule = new FailureRule(Guid.CreateVersion7().ToString("N"), request.Mode!, request.OrderId, request.PaymentKey,
            request.Operation, request.Count, request.DelayMs, time.GetUtcNow());
        failures.Add(rule);
        return TypedResults.Created($"/sim/failures/{rule.Id}", rule);
    }
}

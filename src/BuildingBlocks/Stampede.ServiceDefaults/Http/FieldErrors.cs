using Microsoft.AspNetCore.Http.HttpResults;

namespace Stampede.ServiceDefaults.Http;

/// <summary>What is wrong with a request, keyed by the JSON path of the field (<c>email</c>,
/// <c>lines[2].quantity</c>), answered as a 400 validation problem.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> errors = new(StringComparer.Ordinal);

    public bool IsEmpty => errors.Count == 0;

    /// <summary>Records <paramref name="message"/> for <paramref name="field"/>; a null message
    /// (a rule that passed) records nothing.</summary>
    public FieldErrors Add(string field, string? message)
    {
        if (message is null) return this;
        if (!errors.TryGetValue(field, out var messages)) errors[field] = messages = [];
        messages.Add(message);
        return this;
    }

    public ValidationProblem ToProblem() =>
        TypedResults.ValidationProblem(
            errors.ToDictionary(e => e.Key, e => e.Value.ToArray()),
            title: "The request is invalid.",
            detail: "See errors for the fields to correct: " + string.Join(", ", errors.Keys) + ".");

    public static ValidationProblem Single(string field, string message) => new FieldErrors().Add(field, message).ToProblem();
}

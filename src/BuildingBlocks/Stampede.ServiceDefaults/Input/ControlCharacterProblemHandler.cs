using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Stampede.ServiceDefaults.Input;

/// <summary>Turns a body refused by <see cref="CheckedStringConverter"/> into the same validation
/// problem the endpoints give, naming the field by its JSON path (<c>lines[0].note</c>).</summary>
internal sealed class ControlCharacterProblemHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException) return false;
        var refused = Find(exception);
        if (refused is null) return false;
        var field = refused.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : refused.Path ?? "body";
        await TypedResults.ValidationProblem(
            new Dictionary<string, string[]> { [field] = [ControlCharacters.Message(allowLineBreaks: true)] },
            title: "The request is invalid.",
            detail: $"See errors for the fields to correct: {field}.").ExecuteAsync(context);
        return true;
    }

    private static ControlCharacterException? Find(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
            if (exception is ControlCharacterException refused) return refused;
        return null;
    }
}

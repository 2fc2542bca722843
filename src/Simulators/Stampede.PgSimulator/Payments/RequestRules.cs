namespace Stampede.PgSimulator.Payments;

/// <summary>Checks shared by the merchant requests; each returns the message for a broken rule or null.</summary>
public static class RequestRules
{
    public const int MinOrderIdLength = 6;
    public const int MaxOrderIdLength = 64;
    public const int MaxTextLength = 200;
    public const int MaxPaymentKeyLength = 200;

    public static string? OrderId(string? value) => value switch
    {
        null or "" => "The orderId is required.",
        { Length: < MinOrderIdLength or > MaxOrderIdLength } => $"The orderId must be {MinOrderIdLength} to {MaxOrderIdLength} characters.",
        _ when !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') => "The orderId may hold only letters, digits, '-' and '_'.",
        _ => null,
    };

    public static string? PaymentKey(string? value) => value switch
    {
        null or "" => "The paymentKey is required.",
        _ when !IsPaymentKeyShaped(value) => "The paymentKey is not a payment key.",
        _ => null,
    };

    public static bool IsPaymentKeyShaped(string value) =>
        value.Length is > 0 and <= MaxPaymentKeyLength && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public static string? Amount(long? value) => value switch
    {
        null => "The amount is required.",
        <= 0 => "The amount must be greater than 0.",
        _ => null,
    };

    public static string? Text(string? value, string field, bool required = true) => value switch
    {
        null or "" when required => $"The {field} is required.",
        null or "" => null,
        { Length: > MaxTextLength } => $"The {field} must be at most {MaxTextLength} characters.",
        _ when value.Any(char.IsControl) || string.IsNullOrWhiteSpace(value) => $"The {field} must be plain text.",
        _ => null,
    };

    public static string? Url(string? value, string field, bool required = true)
    {
        if (string.IsNullOrEmpty(value)) return required ? $"The {field} is required." : null;
        if (value.Length > 2048) return $"The {field} must be at most 2048 characters.";
        return Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? null
            : $"The {field} must be an absolute http or https URL.";
    }

    /// <summary>Collects the broken rules keyed by JSON field name.</summary>
    public static Dictionary<string, string[]> Collect(params (string Field, string? Message)[] checks) =>
        checks.Where(c => c.Message is not null).GroupBy(c => c.Field).ToDictionary(g => g.Key, g => g.Select(c => c.Message!).ToArray());
}

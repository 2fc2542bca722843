using System.Net.Mail;

namespace Stampede.Identity.Users;

/// <summary>How identity reads an email address: trimmed and lower-cased, then held to the
/// plain address forms real mailboxes use (no display names, quotes, comments or IP literals).</summary>
public static class EmailAddress
{
    public const int MaxLength = 254;
    private const int MaxLocalPartLength = 64;
    private const string LocalPartSymbols = "!#$%&'*+/=?^_`{|}~.-";

    public static string Normalize(string email) => email.Trim().ToLowerInvariant();

    /// <summary>Null when <paramref name="raw"/> is acceptable; otherwise why not.</summary>
    public static string? Check(string? raw, out string normalized)
    {
        normalized = raw is null ? "" : Normalize(raw);
        if (normalized.Length == 0) return "The email is required.";
        if (normalized.Length > MaxLength) return $"The email must be at most {MaxLength} characters.";
        return IsPlainAddress(normalized) ? null : "The email is not a valid email address.";
    }

    private static bool IsPlainAddress(string email)
    {
        var at = email.IndexOf('@');
        if (at <= 0 || at != email.LastIndexOf('@')) return false;
        var local = email[..at];
        var domain = email[(at + 1)..];
        return IsLocalPart(local)
            && IsDomain(domain)
            && MailAddress.TryCreate(email, out var parsed)
            && parsed.Address == email
            && parsed.DisplayName.Length == 0;
    }

    private static bool IsLocalPart(string local) =>
        local.Length <= MaxLocalPartLength
        && local.All(c => char.IsAsciiLetterOrDigit(c) || LocalPartSymbols.Contains(c))
        && !local.StartsWith('.') && !local.EndsWith('.') && !local.Contains("..", StringComparison.Ordinal);

    private static bool IsDomain(string domain)
    {
        var labels = domain.Split('.');
        return labels.Length >= 2
            && labels.All(label => label.Length is > 0 and <= 63
                && label.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
                && !label.StartsWith('-') && !label.EndsWith('-'))
            && labels[^1].Length >= 2 && labels[^1].All(char.IsAsciiLetterLower);
    }
}

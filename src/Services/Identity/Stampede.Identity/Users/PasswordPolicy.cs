using System.Collections.Frozen;

namespace Stampede.Identity.Users;

/// <summary>What a new password must be: long enough to resist guessing, short enough to hash
/// cheaply, and not one of the passwords attackers try first.</summary>
public static class PasswordPolicy
{
    public const int MinLength = 10;
    public const int MaxLength = 128;

    private static readonly Lazy<FrozenSet<string>> CommonPasswords = new(LoadCommonPasswords);

    public static string? Check(string? password, string normalizedEmail)
    {
        if (string.IsNullOrEmpty(password)) return "The password is required.";
        if (password.Length < MinLength) return $"The password must be at least {MinLength} characters.";
        if (password.Length > MaxLength) return $"The password must be at most {MaxLength} characters.";
        if (string.IsNullOrWhiteSpace(password)) return "The password must not be only spaces.";
        if (IsCommon(password)) return "The password is too common; choose one that is harder to guess.";
        if (normalizedEmail.Length > 0 && password.Trim().Equals(normalizedEmail, StringComparison.OrdinalIgnoreCase))
            return "The password must not be the email address.";
        return null;
    }

    public static bool IsCommon(string password) => CommonPasswords.Value.Contains(password.Trim());

    private static FrozenSet<string> LoadCommonPasswords()
    {
        using var stream = typeof(PasswordPolicy).Assembly.GetManifestResourceStream("Stampede.Identity.Users.common-passwords.txt")
            ?? throw new InvalidOperationException("The embedded list of common passwords is missing.");
        using var reader = new StreamReader(stream);
        var passwords = new List<string>();
        while (reader.ReadLine() is { } line)
            if (line.Trim() is { Length: > 0 } entry && !entry.StartsWith('#')) passwords.Add(entry);
        return passwords.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
    }
}

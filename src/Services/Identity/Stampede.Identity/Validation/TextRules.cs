using System.Text;

namespace Stampede.Identity.Validation;

/// <summary>Rules every free-text field follows: trimmed, bounded, and free of characters that
/// cannot be stored (NUL, lone surrogates) or that disguise text (control and bidi-override characters).</summary>
public static class TextRules
{
    /// <summary>Checks a required field; <paramref name="trimmed"/> is the value to store.</summary>
    public static string? Required(string? value, string label, int maxLength, out string trimmed)
    {
        trimmed = value?.Trim() ?? "";
        if (trimmed.Length == 0) return $"The {label} is required.";
        return Bounded(trimmed, label, maxLength);
    }

    /// <summary>Checks an optional field; blank becomes null.</summary>
    public static string? Optional(string? value, string label, int maxLength, out string? trimmed)
    {
        trimmed = string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        return trimmed is null ? null : Bounded(trimmed, label, maxLength);
    }

    public static bool IsClean(string value)
    {
        if (HasLoneSurrogate(value)) return false;
        foreach (var rune in value.EnumerateRunes())
            if (Rune.IsControl(rune) || IsBidiControl(rune.Value)) return false;
        return true;
    }

    private static string? Bounded(string value, string label, int maxLength)
    {
        if (value.Length > maxLength) return $"The {label} must be at most {maxLength} characters.";
        if (!IsClean(value)) return $"The {label} contains control or invisible formatting characters.";
        return null;
    }

    private static bool IsBidiControl(int codePoint) =>
        codePoint is >= 0x202A and <= 0x202E or >= 0x2066 and <= 0x2069 or 0x200E or 0x200F or 0x061C;

    private static bool HasLoneSurrogate(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) i++;
            else if (char.IsSurrogate(value[i])) return true;
        }
        return false;
    }
}

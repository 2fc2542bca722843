using System.Text;

namespace Stampede.Catalog.Validation;

/// <summary>Rules every free-text field follows: trimmed, bounded, and free of characters that
/// cannot be stored (NUL, lone surrogates) or that disguise text (control and bidi-override
/// characters). Multi-line fields may keep line breaks and tabs.</summary>
public static class TextRules
{
    /// <summary>Checks a required single-line field; <paramref name="trimmed"/> is the value to store.</summary>
    public static string? Required(string? value, string label, int maxLength, out string trimmed)
    {
        trimmed = value?.Trim() ?? "";
        if (trimmed.Length == 0) return $"The {label} is required.";
        return Bounded(trimmed, label, maxLength, multiLine: false);
    }

    /// <summary>Checks an optional multi-line field; blank becomes empty.</summary>
    public static string? OptionalMultiLine(string? value, string label, int maxLength, out string trimmed)
    {
        trimmed = value?.Trim() ?? "";
        return trimmed.Length == 0 ? null : Bounded(trimmed, label, maxLength, multiLine: true);
    }

    private static string? Bounded(string value, string label, int maxLength, bool multiLine)
    {
        if (value.Length > maxLength) return $"The {label} must be at most {maxLength} characters.";
        if (!IsClean(value, multiLine)) return $"The {label} contains control or invisible formatting characters.";
        return null;
    }

    private static bool IsClean(string value, bool multiLine)
    {
        if (HasLoneSurrogate(value)) return false;
        foreach (var rune in value.EnumerateRunes())
        {
            if (multiLine && rune.Value is '\n' or '\r' or '\t') continue;
            if (Rune.IsControl(rune) || IsBidiControl(rune.Value)) return false;
        }
        return true;
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

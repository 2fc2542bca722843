using System.Text;

namespace Stampede.Inventory.Validation;

/// <summary>Rules for the few kinds of input inventory takes.</summary>
public static class InputRules
{
    public const int MaxReasonLength = 200;

    /// <summary>No SKU holds more than this; keeps sums far from overflow.</summary>
    public const long MaxOnHand = 1_000_000_000;

    /// <summary>A SKU id in a route or a body: a GUID other than the empty one.</summary>
    public static string? SkuId(string? value, out Guid skuId)
    {
        skuId = Guid.Empty;
        if (string.IsNullOrWhiteSpace(value)) return "A SKU id is required.";
        return Guid.TryParse(value.Trim(), out skuId) && skuId != Guid.Empty ? null : "A SKU id is a GUID such as 0198f5a4-2b7e-7c3a-9d1e-4f6a8b2c0d3e.";
    }

    public static string? SkuId(Guid? value) =>
        value is null || value == Guid.Empty ? "A SKU id is required." : null;

    /// <summary>Why stock changed, as an admin writes it: 1 to 200 characters of plain text.</summary>
    public static string? Reason(string? value, out string trimmed)
    {
        trimmed = value?.Trim() ?? "";
        if (trimmed.Length == 0) return "A reason is required (1 to 200 characters).";
        if (trimmed.Length > MaxReasonLength) return $"The reason must be at most {MaxReasonLength} characters.";
        return IsClean(trimmed) ? null : "The reason contains control or invisible formatting characters.";
    }

    public static string? OnHand(long? value) => value switch
    {
        null => "On hand is required.",
        < 0 => "On hand cannot be negative.",
        > MaxOnHand => $"On hand can be at most {MaxOnHand}.",
        _ => null,
    };

    /// <summary>A positive whole number no larger than <paramref name="max"/>, with a default when absent.</summary>
    public static string? PositiveInt(string? value, int fallback, int max, out int parsed)
    {
        parsed = fallback;
        if (string.IsNullOrEmpty(value)) return null;
        return int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out parsed)
               && parsed >= 1 && parsed <= max
            ? null
            : $"Must be a whole number from 1 to {max}.";
    }

    private static bool IsClean(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) i++;
            else if (char.IsSurrogate(value[i])) return false;
        }

        foreach (var rune in value.EnumerateRunes())
            if (Rune.IsControl(rune) || IsBidiControl(rune.Value)) return false;
        return true;
    }

    private static bool IsBidiControl(int codePoint) =>
        codePoint is >= 0x202A and <= 0x202E or >= 0x2066 and <= 0x2069 or 0x200E or 0x200F or 0x061C;
}

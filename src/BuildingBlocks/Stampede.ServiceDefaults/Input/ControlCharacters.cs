using System.Text.Json;

namespace Stampede.ServiceDefaults.Input;

/// <summary>The one rule for control characters in text input: U+0000–U+001F and U+007F are refused
/// (PostgreSQL cannot store NUL in text, and the others disguise or break text), except tab, CR and
/// LF where a value may span lines (JSON string values; never query strings or route values).</summary>
public static class ControlCharacters
{
    /// <summary>True when <paramref name="value"/> holds a refused character.</summary>
    public static bool Contains(string? value, bool allowLineBreaks)
    {
        if (value is null) return false;
        foreach (var c in value)
        {
            if (c >= '\u0020' && c != '\u007F') continue;
            if (allowLineBreaks && c is '\t' or '\r' or '\n') continue;
            return true;
        }
        return false;
    }

    public static string Message(bool allowLineBreaks) => allowLineBreaks
        ? "The value contains a control character (only tab, CR and LF are allowed)."
        : "The value contains a control character.";
}

/// <summary>Thrown by <see cref="CheckedStringConverter"/>; a <see cref="JsonException"/> so the
/// serializer adds the JSON path, and its own type so <see cref="ControlCharacterProblemHandler"/> recognises it.</summary>
public sealed class ControlCharacterException() : JsonException(ControlCharacters.Message(allowLineBreaks: true));

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Stampede.ServiceDefaults.Input;

/// <summary>Reads every JSON string (values and dictionary keys) of request bodies and refuses control
/// characters. System.Text.Json accepts escapes such as <c>"\u0000"</c>, which would otherwise reach the database.</summary>
public sealed class CheckedStringConverter : JsonConverter<string>
{
    public override bool HandleNull => false;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
            throw new JsonException($"Expected a string but found {reader.TokenType}.");
        return Checked(reader.GetString());
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Checked(reader.GetString())!;

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);

    private static string? Checked(string? value) =>
        ControlCharacters.Contains(value, allowLineBreaks: true) ? throw new ControlCharacterException() : value;
}

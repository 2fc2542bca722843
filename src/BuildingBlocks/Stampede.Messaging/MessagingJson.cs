using System.Text.Json;

namespace Stampede.Messaging;

/// <summary>The one JSON shape of events on the wire: web defaults (camelCase), unknown fields
/// ignored so producers can add fields without breaking consumers; missing
/// required fields are not.</summary>
public static class MessagingJson
{
    /// <summary>Serializer options used for every event body.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        // A body missing a required field, or with null where the contract says non-null, is
        // poison rather than an event with silent holes.
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
    };
}

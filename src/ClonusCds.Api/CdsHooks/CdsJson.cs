using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClonusCds.Api.CdsHooks;

/// <summary>
/// JSON for CDS Hooks responses: camelCase, and optional members omitted rather than null (the
/// spec: "JSON elements SHALL NOT be null"; empty collections are never built, see CardBuilder).
/// </summary>
internal static class CdsJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}

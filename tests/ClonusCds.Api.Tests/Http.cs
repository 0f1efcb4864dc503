using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ClonusCds.Api.Tests;

internal static class Http
{
    public const string Assessments = "/api/v1/assessments";

    public static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    public static async Task<(HttpResponseMessage Response, JsonElement Body)> PostJson(this HttpClient client, string url, string body)
    {
        var response = await client.PostAsync(url, Json(body));
        return (response, await Read(response));
    }

    public static async Task<(HttpResponseMessage Response, JsonElement Body)> GetJson(this HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        return (response, await Read(response));
    }

    public static async Task<JsonElement> Read(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (string.IsNullOrEmpty(text))
        {
            return default;
        }

        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    public static string? MediaType(this HttpResponseMessage r) => r.Content.Headers.ContentType?.MediaType;

    public static IEnumerable<string> Codes(this JsonElement assessment) =>
        assessment.GetProperty("recommendations").EnumerateObject().SelectMany(t => t.Value.EnumerateArray())
            .Concat(assessment.GetProperty("pitfalls").EnumerateArray())
            .Select(i => i.GetProperty("code").GetString()!);

    public static ByteArrayContent Raw(byte[] bytes, string mediaType = "application/json")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClonusCds.Core;

/// <summary>The one set of JSON rules for the wire contract: camelCase names, snake_case enum strings.</summary>
public static class ClonusJson
{
    /// <summary>Maximum nesting depth of a request. The contract's deepest path is three levels.</summary>
    public const int MaxDepth = 16;

    /// <summary>Applies the contract's settings to an options instance (used by ASP.NET Core's own options too).</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        // Names are matched exactly as the contract spells them ("Clonus" is an unknown property).
        options.PropertyNameCaseInsensitive = false;
        options.DictionaryKeyPolicy = JsonNamingPolicy.CamelCase;
        // Enum values exactly as the contract spells them (snake_case, case-sensitive); integers are
        // not enum values either: "sex": 1 is a typo, not "male".
        options.Converters.Add(new StrictSnakeCaseEnumConverter());
        // A misspelt "temprature" silently ignored could change a triage (api-v1.md): reject it.
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        // Two values for one field are ambiguous: reject rather than keep the last.
        options.AllowDuplicateProperties = false;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.MaxDepth = MaxDepth;
        options.ReadCommentHandling = JsonCommentHandling.Disallow;
        options.AllowTrailingCommas = false;
    }

    /// <summary>Shared options for callers outside ASP.NET Core (tests, benchmarks, tools).</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}

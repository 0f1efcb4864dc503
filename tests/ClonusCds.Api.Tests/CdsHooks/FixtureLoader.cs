using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ClonusCds.Api.Tests.CdsHooks;

/// <summary>
/// One CDS Hooks scenario from <c>CdsHooks/Fixtures/*.json</c>: a full request and the cards the
/// clinical sources say it must produce (written from the sources, not from the implementation).
/// </summary>
public sealed record CdsFixture(string File, string Name, string Description, string Service, JsonObject Request, FixtureExpectation Expect)
{
    /// <summary>The request as compact JSON, ready to POST.</summary>
    public string RequestJson => Request.ToJsonString();

    /// <summary>The request as a read-only element (for the conformance checker).</summary>
    public JsonElement RequestElement => JsonDocument.Parse(RequestJson).RootElement.Clone();

    public string Hook => (string)Request["hook"]!;

    public string PatientId => (string)Request["context"]!["patientId"]!;

    /// <summary>
    /// Adds every supplementary prefetch key the fixture does not carry as an empty searchset (as an
    /// EHR configured from today's discovery, with nothing on file there), so that nothing is left to fetch.
    /// </summary>
    public CdsFixture WithEmptySupplementaryKeys()
    {
        var prefetch = (JsonObject)Request["prefetch"]!;
        foreach (var key in ClonusCds.Api.CdsHooks.CdsServiceCatalog.SupplementaryKeys.Where(k => !prefetch.ContainsKey(k)))
        {
            prefetch[key] = new JsonObject { ["resourceType"] = "Bundle", ["type"] = "searchset", ["total"] = 0 };
        }

        return this;
    }
}

/// <summary>What a fixture expects. <see cref="Cards"/> null: cards are not asserted; empty: exactly no cards.</summary>
public sealed record FixtureExpectation(int Status, IReadOnlyList<ExpectedCard>? Cards, int? ExactCardCount, string? Note)
{
    public static FixtureExpectation Parse(JsonNode? node)
    {
        if (node is not JsonObject expect)
        {
            throw new InvalidDataException("fixture has no 'expect' object");
        }

        var known = new HashSet<string>(StringComparer.Ordinal) { "status", "cards", "exactCardCount", "note" };
        foreach (var (name, _) in expect)
        {
            if (!known.Contains(name))
            {
                throw new InvalidDataException($"unknown member 'expect.{name}'");
            }
        }

        var status = expect["status"] is JsonValue s ? s.GetValue<int>() : 200;
        var cards = expect["cards"] is JsonArray array ? array.Select(ExpectedCard.Parse).ToList() : null;
        var exact = expect["exactCardCount"] is JsonValue e ? e.GetValue<int>() : (int?)null;
        return new FixtureExpectation(status, cards, exact, (string?)expect["note"]);
    }
}

/// <summary>
/// One expected card, matched to a distinct actual card by kind, indicator, codes (from
/// <c>extension["org.clonuscds"].codes</c>) and the draft its suggestion deletes.
/// </summary>
public sealed record ExpectedCard(
    string Kind,
    IReadOnlyList<string>? Indicators,
    IReadOnlyList<string> CodesInclude,
    IReadOnlyList<string> CodesIncludeAny,
    IReadOnlyList<string> CodesExclude,
    string? Deletes)
{
    public static ExpectedCard Parse(JsonNode? node)
    {
        if (node is not JsonObject card)
        {
            throw new InvalidDataException("expected card is not an object");
        }

        var known = new HashSet<string>(StringComparer.Ordinal) { "kind", "indicator", "codesInclude", "codesIncludeAny", "codesExclude", "deletes" };
        foreach (var (name, _) in card)
        {
            if (!known.Contains(name))
            {
                throw new InvalidDataException($"unknown member '{name}' in an expected card");
            }
        }

        var indicators = card["indicator"] switch
        {
            null => null,
            JsonArray a => a.Select(i => (string)i!).ToList(),
            var single => (IReadOnlyList<string>)[(string)single!],
        };
        return new ExpectedCard(
            (string?)card["kind"] ?? throw new InvalidDataException("expected card has no kind"),
            indicators,
            Strings(card["codesInclude"]),
            Strings(card["codesIncludeAny"]),
            Strings(card["codesExclude"]),
            (string?)card["deletes"]);
    }

    private static List<string> Strings(JsonNode? node) => node is JsonArray a ? a.Select(i => (string)i!).ToList() : [];

    public override string ToString() =>
        $"{Kind} indicator={(Indicators is null ? "any" : string.Join("|", Indicators))}" +
        (CodesInclude.Count > 0 ? $" codes⊇[{string.Join(", ", CodesInclude)}]" : "") +
        (CodesIncludeAny.Count > 0 ? $" codes∩[{string.Join(", ", CodesIncludeAny)}]≠∅" : "") +
        (CodesExclude.Count > 0 ? $" codes∌[{string.Join(", ", CodesExclude)}]" : "") +
        (Deletes is null ? "" : $" deletes={Deletes}");
}

/// <summary>
/// Loads fixtures and replaces their date placeholders relative to now, because the service computes
/// age from birthDate and treats a medication authored in the last 7 days as a recent start.
/// </summary>
/// <remarks>
/// Placeholders: <c>${now}</c>, <c>${now-2h}</c>, <c>${now+1d}</c>, <c>${now-40min}</c>, <c>${now-3w}</c>,
/// <c>${now-20y}</c> give a UTC FHIR dateTime (<c>2026-11-21T10:15:00Z</c>); the <c>date:</c> form
/// (<c>${date:now-45y}</c>) gives a FHIR date (<c>1981-11-21</c>). Any other <c>${…}</c> is an error, so a
/// typo cannot silently reach the service.
/// </remarks>
public static partial class FixtureLoader
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "CdsHooks", "Fixtures");

    /// <summary>Fixture file names, in order.</summary>
    public static IReadOnlyList<string> Files() =>
        System.IO.Directory.GetFiles(Directory, "*.json").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Loads one fixture. The hookInstance is replaced by a fresh UUID on every load, because the spec makes
    /// each call's hookInstance unique and the same fixture is posted by several tests.
    /// </summary>
    public static CdsFixture Load(string file, DateTimeOffset? now = null, bool freshHookInstance = true)
    {
        var text = File.ReadAllText(Path.Combine(Directory, file));
        var root = JsonNode.Parse(Substitute(text, now ?? DateTimeOffset.UtcNow)) as JsonObject
            ?? throw new InvalidDataException($"{file}: not a JSON object");
        var request = root["request"] as JsonObject ?? throw new InvalidDataException($"{file}: no request object");
        if (freshHookInstance)
        {
            request["hookInstance"] = Guid.NewGuid().ToString();
        }

        return new CdsFixture(
            file,
            (string?)root["name"] ?? throw new InvalidDataException($"{file}: no name"),
            (string?)root["description"] ?? throw new InvalidDataException($"{file}: no description"),
            (string?)root["service"] ?? throw new InvalidDataException($"{file}: no service"),
            request,
            FixtureExpectation.Parse(root["expect"]));
    }

    /// <summary>Replaces every date placeholder; throws on an unknown one.</summary>
    public static string Substitute(string text, DateTimeOffset now)
    {
        var utc = now.ToUniversalTime();
        var replaced = Placeholder().Replace(text, m =>
        {
            var at = utc;
            if (m.Groups["sign"].Success)
            {
                var amount = int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture);
                if (m.Groups["sign"].Value == "-")
                {
                    amount = -amount;
                }

                at = m.Groups["unit"].Value switch
                {
                    "min" => utc.AddMinutes(amount),
                    "h" => utc.AddHours(amount),
                    "d" => utc.AddDays(amount),
                    "w" => utc.AddDays(7 * amount),
                    "y" => utc.AddYears(amount),
                    var unit => throw new FormatException($"unknown unit '{unit}' in {m.Value}"),
                };
            }

            return m.Groups["date"].Success
                ? at.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
                : at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        });

        var leftover = Leftover().Match(replaced);
        if (leftover.Success)
        {
            throw new FormatException($"unknown placeholder {leftover.Value}");
        }

        return replaced;
    }

    [GeneratedRegex(@"\$\{(?<date>date:)?now(?:(?<sign>[+-])(?<n>\d{1,6})(?<unit>min|h|d|w|y))?\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"\$\{[^}]*\}?", RegexOptions.CultureInvariant)]
    private static partial Regex Leftover();
}

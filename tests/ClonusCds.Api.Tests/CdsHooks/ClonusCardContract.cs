using System.Text.Json;
using System.Text.RegularExpressions;

namespace ClonusCds.Api.Tests.CdsHooks;

/// <summary>
/// The ClonusCds card contract on top of the CDS Hooks spec: every card describes itself in
/// <c>extension["org.clonuscds"]</c> (kind, codes, and for order cards the draft it is about), cites
/// <c>/api/v1/knowledge/recommendations/&lt;code&gt;</c> as its source, and order cards offer removing the
/// draft with at-most-one selection and coded override reasons.
/// </summary>
public static partial class ClonusCardContract
{
    private static readonly HashSet<string> Kinds = new(StringComparer.Ordinal) { "triage", "medication-safety", "order", Unchecked };

    /// <summary>
    /// The info card for a selected draft that could not be checked (drug not identified, baclofen with
    /// no kidney function, an interacting drug while part of the list was not seen): it names the
    /// draft but carries no codes and no suggestion, and cites the knowledge base as a whole.
    /// </summary>
    public const string Unchecked = "order-unchecked";

    /// <summary>The path every card's source.url points under.</summary>
    public const string KnowledgePath = "/api/v1/knowledge/recommendations/";

    /// <summary>Every breach of the contract (empty when the response keeps it).</summary>
    public static IReadOnlyList<string> Check(JsonElement response, JsonElement request)
    {
        var v = new List<string>();
        if (response.ValueKind != JsonValueKind.Object || !response.TryGetProperty("cards", out var cards) || cards.ValueKind != JsonValueKind.Array)
        {
            v.Add("$.cards: missing");
            return v;
        }

        var hook = request.TryGetProperty("hook", out var h) ? h.GetString() : null;
        var drafts = CdsConformance.DraftOrderReferences(request);
        var selections = Selections(request);
        var orderCardsPerDraft = new Dictionary<string, int>(StringComparer.Ordinal);
        var triageCards = 0;

        var i = 0;
        foreach (var card in cards.EnumerateArray())
        {
            var path = $"$.cards[{i++}]";
            if (card.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            if (!card.TryGetProperty("detail", out _))
            {
                v.Add($"{path}.detail: every card explains itself in Markdown detail");
            }

            // A combination card that pairs a drug with itself ("tizanidine with tizanidine") has named the wrong drug.
            if (card.TryGetProperty("summary", out var summary) && summary.ValueKind == JsonValueKind.String
                && SelfPair().Match(summary.GetString()!) is { Success: true } pair)
            {
                v.Add($"{path}.summary: '{pair.Value}' pairs a drug with itself");
            }

            if (!card.TryGetProperty("source", out var source) || source.ValueKind != JsonValueKind.Object)
            {
                v.Add($"{path}.source: missing");
            }
            else
            {
                if (!source.TryGetProperty("url", out var url) || url.ValueKind != JsonValueKind.String
                    || !Uri.TryCreate(url.GetString(), UriKind.Absolute, out var uri)
                    || (!(uri.AbsolutePath.StartsWith(KnowledgePath, StringComparison.Ordinal) && uri.AbsolutePath.Length > KnowledgePath.Length)
                        && !(KindOf(card) == Unchecked && uri.AbsolutePath.TrimEnd('/') == KnowledgeRoot)))
                {
                    v.Add($"{path}.source.url: must be an absolute URL to {KnowledgePath}<code>");
                }

                if (!source.TryGetProperty("topic", out var topic) || topic.ValueKind != JsonValueKind.Object)
                {
                    v.Add($"{path}.source.topic: every card carries a topic Coding");
                }
            }

            if (!card.TryGetProperty("extension", out var ext) || ext.ValueKind != JsonValueKind.Object
                || !ext.TryGetProperty(CardExpectations.ExtensionKey, out var ours) || ours.ValueKind != JsonValueKind.Object)
            {
                v.Add($"{path}.extension.{CardExpectations.ExtensionKey}: missing");
                continue;
            }

            var ep = $"{path}.extension.{CardExpectations.ExtensionKey}";
            var kind = ours.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
            if (kind is null || !Kinds.Contains(kind))
            {
                v.Add($"{ep}.kind: must be triage, medication-safety, order or {Unchecked}");
            }

            if (kind == Unchecked)
            {
                CheckUncheckedCard(card, ours, path, ep, hook, drafts, selections, v);
                continue;
            }

            if (!ours.TryGetProperty("codes", out var codes) || codes.ValueKind != JsonValueKind.Array || codes.GetArrayLength() == 0)
            {
                v.Add($"{ep}.codes: must list the recommendation and pitfall codes shown on the card");
            }
            else if (codes.EnumerateArray().Any(c => c.ValueKind != JsonValueKind.String || !Code().IsMatch(c.GetString()!)))
            {
                v.Add($"{ep}.codes: every code is a snake_case string");
            }

            if (kind == "triage")
            {
                triageCards++;
            }

            if (hook == "patient-view" && kind == "order")
            {
                v.Add($"{ep}.kind: patient-view has no draft orders, so no order cards");
            }

            if (hook is "order-select" or "order-sign" && kind is not null && kind is not ("order" or Unchecked))
            {
                v.Add($"{ep}.kind: the order hooks answer with order cards only, not '{kind}'");
            }

            if (kind == "order")
            {
                CheckOrderCard(card, ours, path, ep, hook, drafts, selections, orderCardsPerDraft, v);
            }
        }

        if (triageCards > 1)
        {
            v.Add($"$.cards: {triageCards} triage cards; the contract gives at most one");
        }

        foreach (var (draft, count) in orderCardsPerDraft.Where(p => p.Value > 1))
        {
            v.Add($"$.cards: {count} order cards for {draft}; the contract gives one per risky draft");
        }

        return v;
    }

    private static void CheckUncheckedCard(JsonElement card, JsonElement ours, string path, string ep, string? hook,
        HashSet<string> drafts, HashSet<string> selections, List<string> v)
    {
        if (hook is not ("order-select" or "order-sign"))
        {
            v.Add($"{ep}.kind: {Unchecked} cards are about draft orders, so only the order hooks give them");
        }

        if (!card.TryGetProperty("indicator", out var indicator) || indicator.ValueKind != JsonValueKind.String || indicator.GetString() != "info")
        {
            v.Add($"{path}.indicator: a {Unchecked} card says what was not checked, so it is info");
        }

        var orderId = ours.TryGetProperty("orderResourceId", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString() : null;
        if (orderId is not null && !drafts.Contains(orderId))
        {
            v.Add($"{ep}.orderResourceId: '{orderId}' is not a draft order of the request");
        }

        if (orderId is not null && hook == "order-select" && !selections.Contains(orderId))
        {
            v.Add($"{ep}.orderResourceId: '{orderId}' was not among context.selections");
        }

        if (CardExpectations.DeletedResources(card).Any())
        {
            v.Add($"{path}.suggestions: a {Unchecked} card found no risk, so it suggests no deletion");
        }
    }

    private static string? KindOf(JsonElement card) =>
        card.TryGetProperty("extension", out var ext) && ext.ValueKind == JsonValueKind.Object
        && ext.TryGetProperty(CardExpectations.ExtensionKey, out var ours) && ours.ValueKind == JsonValueKind.Object
        && ours.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;

    /// <summary>The knowledge base's root, cited by cards that name no single code.</summary>
    private const string KnowledgeRoot = "/api/v1/knowledge";

    private static void CheckOrderCard(JsonElement card, JsonElement ours, string path, string ep, string? hook,
        HashSet<string> drafts, HashSet<string> selections, Dictionary<string, int> perDraft, List<string> v)
    {
        var orderId = ours.TryGetProperty("orderResourceId", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString() : null;
        if (orderId is null)
        {
            v.Add($"{ep}.orderResourceId: required on order cards");
        }
        else
        {
            perDraft[orderId] = perDraft.GetValueOrDefault(orderId) + 1;
            if (!drafts.Contains(orderId))
            {
                v.Add($"{ep}.orderResourceId: '{orderId}' is not a draft order of the request");
            }

            if (hook == "order-select" && !selections.Contains(orderId))
            {
                v.Add($"{ep}.orderResourceId: '{orderId}' was not among context.selections; order-select cards are for the selected drafts");
            }

            if (!CardExpectations.DeletedResources(card).Contains(orderId, StringComparer.Ordinal))
            {
                v.Add($"{path}.suggestions: an order card offers a delete action for {orderId}");
            }
        }

        if (!card.TryGetProperty("selectionBehavior", out var sb) || sb.ValueKind != JsonValueKind.String || sb.GetString() != "at-most-one")
        {
            v.Add($"{path}.selectionBehavior: order cards use at-most-one");
        }

        if (!card.TryGetProperty("overrideReasons", out var reasons) || reasons.ValueKind != JsonValueKind.Array || reasons.GetArrayLength() == 0)
        {
            v.Add($"{path}.overrideReasons: order cards offer coded override reasons");
        }
    }

    /// <summary>context.selections of an order-select request.</summary>
    public static HashSet<string> Selections(JsonElement request)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (request.ValueKind == JsonValueKind.Object && request.TryGetProperty("context", out var context) && context.ValueKind == JsonValueKind.Object
            && context.TryGetProperty("selections", out var selections) && selections.ValueKind == JsonValueKind.Array)
        {
            foreach (var s in selections.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.String))
            {
                set.Add(s.GetString()!);
            }
        }

        return set;
    }

    /// <summary>Every code the response's cards list in their extension, and the code each source.url names.</summary>
    public static IReadOnlySet<string> CitedCodes(JsonElement response)
    {
        var codes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var card in CardExpectations.Read(response))
        {
            codes.UnionWith(card.Codes);
        }

        if (response.ValueKind == JsonValueKind.Object && response.TryGetProperty("cards", out var cards) && cards.ValueKind == JsonValueKind.Array)
        {
            foreach (var card in cards.EnumerateArray())
            {
                if (card.ValueKind == JsonValueKind.Object && card.TryGetProperty("source", out var source) && source.ValueKind == JsonValueKind.Object
                    && source.TryGetProperty("url", out var url) && url.ValueKind == JsonValueKind.String
                    && Uri.TryCreate(url.GetString(), UriKind.Absolute, out var uri)
                    && uri.AbsolutePath.StartsWith(KnowledgePath, StringComparison.Ordinal))
                {
                    codes.Add(Uri.UnescapeDataString(uri.AbsolutePath[KnowledgePath.Length..]));
                }
            }
        }

        return codes;
    }

    [GeneratedRegex(@"\b([A-Za-z][A-Za-z\-]{3,})\s+(?:with|plus|and|\+)\s+\1\b", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex SelfPair();

    [GeneratedRegex("^[a-z0-9]+(_[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex Code();
}

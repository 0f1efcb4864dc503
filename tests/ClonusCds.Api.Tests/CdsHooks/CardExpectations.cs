using System.Text.Json;

namespace ClonusCds.Api.Tests.CdsHooks;

/// <summary>A card as the expectations see it: what ClonusCds's extension and the delete suggestions say.</summary>
public sealed record ActualCard(int Index, string? Kind, string? Indicator, IReadOnlyList<string> Codes, IReadOnlyList<string> Deletes, string? OrderResourceId, string? Summary)
{
    public override string ToString() =>
        $"[{Index}] {Kind ?? "(no kind)"} {Indicator ?? "(no indicator)"} codes=[{string.Join(", ", Codes)}]" +
        (Deletes.Count > 0 ? $" deletes=[{string.Join(", ", Deletes)}]" : "") + $" \"{Summary}\"";
}

/// <summary>Compares a CDS Hooks response with a fixture's <see cref="FixtureExpectation"/>.</summary>
public static class CardExpectations
{
    /// <summary>The extension key under which ClonusCds describes each card.</summary>
    public const string ExtensionKey = "org.clonuscds";

    public static IReadOnlyList<ActualCard> Read(JsonElement response)
    {
        if (response.ValueKind != JsonValueKind.Object || !response.TryGetProperty("cards", out var cards) || cards.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        return cards.EnumerateArray().Select((card, i) => ReadCard(card, i)).ToList();
    }

    private static ActualCard ReadCard(JsonElement card, int index)
    {
        if (card.ValueKind != JsonValueKind.Object)
        {
            return new ActualCard(index, null, null, [], [], null, null);
        }

        string? kind = null, orderId = null;
        var codes = new List<string>();
        if (card.TryGetProperty("extension", out var ext) && ext.ValueKind == JsonValueKind.Object
            && ext.TryGetProperty(ExtensionKey, out var ours) && ours.ValueKind == JsonValueKind.Object)
        {
            kind = StringOf(ours, "kind");
            orderId = StringOf(ours, "orderResourceId");
            if (ours.TryGetProperty("codes", out var c) && c.ValueKind == JsonValueKind.Array)
            {
                codes.AddRange(c.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!));
            }
        }

        return new ActualCard(index, kind, StringOf(card, "indicator"), codes, DeletedResources(card), orderId, StringOf(card, "summary"));
    }

    /// <summary>resourceId of every delete action in the card's suggestions.</summary>
    public static IReadOnlyList<string> DeletedResources(JsonElement card)
    {
        var deletes = new List<string>();
        if (card.ValueKind != JsonValueKind.Object || !card.TryGetProperty("suggestions", out var suggestions) || suggestions.ValueKind != JsonValueKind.Array)
        {
            return deletes;
        }

        foreach (var suggestion in suggestions.EnumerateArray())
        {
            if (suggestion.ValueKind != JsonValueKind.Object || !suggestion.TryGetProperty("actions", out var actions) || actions.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var action in actions.EnumerateArray())
            {
                if (action.ValueKind == JsonValueKind.Object && StringOf(action, "type") == "delete" && StringOf(action, "resourceId") is { } id)
                {
                    deletes.Add(id);
                }
            }
        }

        return deletes;
    }

    /// <summary>Every way the response falls short of the expectation (empty when it meets it).</summary>
    public static IReadOnlyList<string> Compare(JsonElement response, FixtureExpectation expect)
    {
        var failures = new List<string>();
        if (expect.Cards is null)
        {
            return failures;
        }

        if (response.ValueKind != JsonValueKind.Object || !response.TryGetProperty("cards", out var cards) || cards.ValueKind != JsonValueKind.Array)
        {
            failures.Add("response has no cards array");
            return failures;
        }

        var actual = Read(response);
        if (expect.Cards.Count == 0)
        {
            if (actual.Count > 0)
            {
                failures.Add($"expected no cards, got {actual.Count}:\n  " + string.Join("\n  ", actual));
            }

            return failures;
        }

        if (expect.ExactCardCount is int exact && actual.Count != exact)
        {
            failures.Add($"expected exactly {exact} card(s), got {actual.Count}");
        }

        // Each expected card needs its own actual card: a small bipartite matching (Kuhn's algorithm).
        var owner = new int[actual.Count];
        Array.Fill(owner, -1);
        var unmatched = new List<int>();
        for (var e = 0; e < expect.Cards.Count; e++)
        {
            if (!Assign(e, new bool[actual.Count]))
            {
                unmatched.Add(e);
            }
        }

        foreach (var e in unmatched)
        {
            var expected = expect.Cards[e];
            var why = actual.Select(a => $"  {a}\n      ✗ {string.Join("; ", Mismatches(expected, a))}");
            failures.Add($"no card matches expected {expected}; actual cards:\n" + (actual.Count == 0 ? "  (none)" : string.Join("\n", why)));
        }

        return failures;

        bool Assign(int e, bool[] seen)
        {
            for (var a = 0; a < actual.Count; a++)
            {
                if (seen[a] || Mismatches(expect.Cards[e], actual[a]).Count > 0)
                {
                    continue;
                }

                seen[a] = true;
                if (owner[a] < 0 || Assign(owner[a], seen))
                {
                    owner[a] = e;
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Why an actual card is not the expected one (empty when it is).</summary>
    public static IReadOnlyList<string> Mismatches(ExpectedCard expected, ActualCard actual)
    {
        var why = new List<string>();
        if (!string.Equals(expected.Kind, actual.Kind, StringComparison.Ordinal))
        {
            why.Add($"kind {actual.Kind ?? "(none)"} ≠ {expected.Kind}");
        }

        if (expected.Indicators is { } allowed && (actual.Indicator is null || !allowed.Contains(actual.Indicator, StringComparer.Ordinal)))
        {
            why.Add($"indicator {actual.Indicator ?? "(none)"} ∉ {{{string.Join(", ", allowed)}}}");
        }

        var missing = expected.CodesInclude.Where(c => !actual.Codes.Contains(c, StringComparer.Ordinal)).ToList();
        if (missing.Count > 0)
        {
            why.Add($"codes lack {string.Join(", ", missing)}");
        }

        if (expected.CodesIncludeAny.Count > 0 && !expected.CodesIncludeAny.Any(c => actual.Codes.Contains(c, StringComparer.Ordinal)))
        {
            why.Add($"codes hold none of {string.Join(", ", expected.CodesIncludeAny)}");
        }

        var forbidden = expected.CodesExclude.Where(c => actual.Codes.Contains(c, StringComparer.Ordinal)).ToList();
        if (forbidden.Count > 0)
        {
            why.Add($"codes must not hold {string.Join(", ", forbidden)}");
        }

        if (expected.Deletes is { } target && !actual.Deletes.Contains(target, StringComparer.Ordinal))
        {
            why.Add($"no delete action for {target}");
        }

        return why;
    }

    private static string? StringOf(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

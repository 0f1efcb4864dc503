using System.Text;

namespace ClonusCds.Api.CdsHooks.Cards;

/// <summary>GitHub-flavoured Markdown helpers for card detail.</summary>
internal static class Markdown
{
    /// <summary>
    /// Escapes text that came from the EHR (drug names, observation notes) so it renders as text:
    /// no links, images, HTML or emphasis can be injected into a card.
    /// </summary>
    public static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            switch (c)
            {
                case '\\' or '`' or '*' or '_' or '[' or ']' or '|' or '~':
                    sb.Append('\\').Append(c);
                    break;
                case '<':
                    sb.Append("&lt;");
                    break;
                case '>':
                    sb.Append("&gt;");
                    break;
                case '&':
                    sb.Append("&amp;");
                    break;
                case '\r' or '\n' or '\t':
                    sb.Append(' ');
                    break;
                default:
                    if (!char.IsControl(c))
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.ToString();
    }

    /// <summary>Shortens to fewer than <paramref name="limit"/> characters at a word boundary, with an ellipsis.</summary>
    public static string Shorten(string text, int limit)
    {
        if (text.Length < limit)
        {
            return text;
        }

        var cut = text.LastIndexOf(' ', limit - 2);
        return string.Concat(text.AsSpan(0, cut > limit / 2 ? cut : limit - 2), "…");
    }
}

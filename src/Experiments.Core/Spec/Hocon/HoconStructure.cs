using System.Collections.Immutable;
using System.Text;

namespace Experiments.Core.Spec.Hocon;

/// <summary>
/// Checks the shape of a HOCON document before Akka parses it: brackets balanced and not nested
/// deeper than <see cref="MaxDepth"/>, every field a key followed by '=', ':' or '{', no empty
/// array elements or doubled separators, no include, values that do not mix arrays or objects with
/// text. Akka's parser accepts all of these silently (and an unclosed '[' makes it allocate
/// without limit), so nothing reaches it until this check passes. Also records the line of every
/// key path, so value errors can name their line, and re-emits the document in a plain canonical
/// form (one field per line, array elements separated by ',') because Akka's parser also
/// mis-reads some valid HOCON, such as a ',' after a nested object.
/// </summary>
internal sealed class HoconStructure
{
    public const int MaxDepth = 64;

    private readonly ImmutableArray<Token> _tokens;
    private readonly Dictionary<string, int> _keyLines = new(StringComparer.Ordinal);
    private readonly StringBuilder _out = new();
    private int _next;

    private HoconStructure(ImmutableArray<Token> tokens) => _tokens = tokens;

    public sealed record Result(ImmutableArray<SpecErrorAt> Errors, ImmutableDictionary<string, int> KeyLines, string Canonical);

    public static Result Check(string text)
    {
        var (tokens, lexErrors) = HoconLexer.Tokenize(text);
        if (!lexErrors.IsEmpty) return new(lexErrors, ImmutableDictionary<string, int>.Empty, "");
        if (CheckBrackets(tokens) is { } bracketError) return new([bracketError], ImmutableDictionary<string, int>.Empty, "");
        var structure = new HoconStructure(tokens);
        try
        {
            structure.Document();
            return new(ImmutableArray<SpecErrorAt>.Empty, structure._keyLines.ToImmutableDictionary(), structure._out.ToString());
        }
        catch (StructureException e)
        {
            return new([e.Error], ImmutableDictionary<string, int>.Empty, "");
        }
    }

    /// <summary>The first unbalanced or mismatched bracket, named at the bracket left open.</summary>
    private static SpecErrorAt? CheckBrackets(ImmutableArray<Token> tokens)
    {
        var open = new Stack<Token>();
        foreach (var t in tokens)
        {
            if (t.Kind is TokenKind.OpenBrace or TokenKind.OpenBracket)
            {
                open.Push(t);
                if (open.Count > MaxDepth) return new(t.Line, t.Column, $"nested deeper than {MaxDepth} levels");
            }
            else if (t.Kind is TokenKind.CloseBrace or TokenKind.CloseBracket)
            {
                var expected = t.Kind == TokenKind.CloseBrace ? TokenKind.OpenBrace : TokenKind.OpenBracket;
                if (open.Count == 0) return new(t.Line, t.Column, $"unexpected '{t.Value}': nothing is open here");
                var top = open.Pop();
                if (top.Kind != expected)
                    return new(top.Line, top.Column, $"unclosed '{top.Value}' (found '{t.Value}' at {t.Line}:{t.Column})");
            }
        }
        return open.Count == 0 ? null : open.Pop() is var last
            ? new SpecErrorAt(last.Line, last.Column, $"unclosed '{last.Value}' (reached the end of the file)")
            : null;
    }

    private sealed class StructureException(SpecErrorAt error) : Exception(error.Message)
    {
        public SpecErrorAt Error { get; } = error;
    }

    private Token Peek => _tokens[_next];
    private Token Take() => _tokens[_next++];
    private static StructureException Fail(Token at, string message) => new(new(at.Line, at.Column, message));

    private void SkipNewlines() { while (Peek.Kind == TokenKind.Newline) _next++; }

    private void Document()
    {
        SkipNewlines();
        if (Peek.Kind == TokenKind.OpenBrace)
        {
            Take();
            ObjectBody("", TokenKind.CloseBrace);
            Take();
            SkipNewlines();
            if (Peek.Kind != TokenKind.End) throw Fail(Peek, $"unexpected {Peek.Describe()} after the closing '}}' of the document");
        }
        else ObjectBody("", TokenKind.End);
    }

    /// <summary>Fields up to (not including) the closing token.</summary>
    private void ObjectBody(string path, TokenKind close)
    {
        SkipNewlines();
        while (Peek.Kind != close)
        {
            Field(path);
            _out.Append('\n');
            if (Peek.Kind == TokenKind.Comma)
            {
                Take();
                SkipNewlines();
                if (Peek.Kind == TokenKind.Comma) throw Fail(Peek, "doubled ','");
            }
            else if (Peek.Kind == TokenKind.Newline) SkipNewlines();
            else if (Peek.Kind != close)
                throw Fail(Peek, $"expected ',' or a new line after a field, found {Peek.Describe()}");
        }
    }

    private void Field(string parent)
    {
        var first = Peek;
        if (first.Kind != TokenKind.Text) throw Fail(first, $"expected a key, found {first.Describe()}");
        if (!first.Quoted && first.Value == "include")
            throw Fail(first, "include is not supported in sweep files; put every sweep in one file or pass each file on its own");
        var segments = new List<string>();
        var keyText = new List<string>();
        while (Peek.Kind == TokenKind.Text)
        {
            var t = Take();
            keyText.Add(t.Value);
            if (t.Quoted) segments.Add(t.Value);
            else
            {
                var parts = t.Value.Split('.');
                if (parts.Any(p => p.Length == 0)) throw Fail(t, $"key '{t.Value}' has an empty path segment");
                segments.AddRange(parts);
            }
        }
        var path = parent;
        foreach (var segment in segments)
        {
            path = path.Length == 0 ? segment : $"{path}.{segment}";
            _keyLines.TryAdd(path, first.Line);
        }
        for (var i = _next - keyText.Count; i < _next; i++) _out.Append(Emit(_tokens[i])).Append(i < _next - 1 ? " " : " = ");

        var after = Peek;
        if (after.Kind == TokenKind.OpenBrace) { Value(path, "after the key"); return; }
        if (after.Kind != TokenKind.Separator)
            throw Fail(after, $"expected '=', ':' or '{{' after key '{string.Join(" ", keyText)}', found {after.Describe()}");
        Take();
        Value(path, $"after '{after.Value}'");
    }

    /// <summary>One value: an object, an array, or text on one line (HOCON joins words with spaces).</summary>
    private void Value(string path, string context)
    {
        var start = Peek;
        switch (start.Kind)
        {
            case TokenKind.OpenBrace:
                Take();
                _out.Append("{\n");
                ObjectBody(path, TokenKind.CloseBrace);
                Take();
                _out.Append('}');
                break;
            case TokenKind.OpenBracket:
                Take();
                _out.Append('[');
                ArrayBody(path);
                Take();
                _out.Append(']');
                break;
            case TokenKind.Text:
                _out.Append(Emit(Take()));
                while (Peek.Kind == TokenKind.Text) _out.Append(' ').Append(Emit(Take()));
                break;
            default:
                throw Fail(start, $"expected a value {context}, found {start.Describe()}");
        }
        if (Peek.Kind is TokenKind.Text or TokenKind.OpenBrace or TokenKind.OpenBracket or TokenKind.Separator)
            throw Fail(Peek, $"unexpected {Peek.Describe()} after a value (missing ',' or new line?)");
    }

    private void ArrayBody(string path)
    {
        SkipNewlines();
        var index = 0;
        while (Peek.Kind != TokenKind.CloseBracket)
        {
            if (Peek.Kind == TokenKind.Comma) throw Fail(Peek, "empty array element (doubled or leading ',')");
            if (index > 0) _out.Append(", ");
            var elementPath = $"{path}[{index++}]";
            _keyLines.TryAdd(elementPath, Peek.Line);
            Value(elementPath, "in an array");
            if (Peek.Kind == TokenKind.Comma)
            {
                Take();
                SkipNewlines();
                if (Peek.Kind == TokenKind.Comma) throw Fail(Peek, "empty array element (doubled ',')");
            }
            else if (Peek.Kind == TokenKind.Newline) SkipNewlines();
            else if (Peek.Kind != TokenKind.CloseBracket)
                throw Fail(Peek, $"expected ',', a new line or ']' in an array, found {Peek.Describe()}");
        }
    }

    /// <summary>A text token as canonical HOCON: unquoted as written, quoted strings re-escaped on one line.</summary>
    private static string Emit(Token t)
    {
        if (!t.Quoted) return t.Value;
        var quoted = new StringBuilder("\"");
        foreach (var c in t.Value)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        return quoted.Append('"').ToString();
    }
}

using System.Collections.Immutable;
using System.Text;

namespace Experiments.Core.Spec.Hocon;

internal enum TokenKind { OpenBrace, CloseBrace, OpenBracket, CloseBracket, Comma, Separator, Newline, Text, Substitution, End }

/// <summary>
/// A lexical token; <see cref="Quoted"/> texts never split into path segments. A substitution's
/// value is its path, <see cref="Quoted"/> meaning optional (<c>${?path}</c>).
/// <see cref="SpaceBefore"/>: blank space separates it from the token before (for concatenation).
/// </summary>
internal readonly record struct Token(TokenKind Kind, string Value, bool Quoted, int Line, int Column)
{
    public bool SpaceBefore { get; init; }

    public string Describe() => Kind switch
    {
        TokenKind.Newline => "end of line",
        TokenKind.End => "end of file",
        TokenKind.Substitution => $"'${{{(Quoted ? "?" : "")}{Value}}}'",
        _ => $"'{Value}'",
    };
}

/// <summary>
/// Splits HOCON text into tokens, dropping comments and blank space. Reports every lexical problem
/// (control characters, unterminated strings, characters HOCON reserves, and '+=', which this
/// project rejects) instead of guessing.
/// </summary>
internal sealed class HoconLexer
{
    // Characters HOCON forbids in unquoted text.
    private const string Reserved = "$\"{}[]:=,+#`^?!@*&\\";

    private readonly string _text;
    private readonly List<SpecErrorAt> _errors = [];
    private int _pos, _line = 1, _column = 1;

    private HoconLexer(string text) => _text = text;

    public static (ImmutableArray<Token> Tokens, ImmutableArray<SpecErrorAt> Errors) Tokenize(string text)
    {
        var lexer = new HoconLexer(text);
        var tokens = lexer.Run();
        return (tokens, lexer._errors.ToImmutableArray());
    }

    private ImmutableArray<Token> Run()
    {
        var tokens = ImmutableArray.CreateBuilder<Token>();
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            var count = tokens.Count;
            var spaceBefore = _pos > 0 && char.IsWhiteSpace(_text[_pos - 1]);
            int line = _line, column = _column;
            if (c == '\n') { tokens.Add(new(TokenKind.Newline, "\n", false, line, column)); Advance(); }
            else if (c == '\r' || c == '\t' || c == ' ' || c == '\uFEFF' || (char.IsWhiteSpace(c) && !char.IsControl(c))) Advance();
            else if (char.IsControl(c) || char.IsSurrogate(c) && !IsValidSurrogatePair()) { Error(line, column, $"control or invalid character U+{(int)c:X4} is not allowed"); Advance(); }
            else if (c == '#' || Peek("//")) SkipComment();
            else if (c == '{') { tokens.Add(new(TokenKind.OpenBrace, "{", false, line, column)); Advance(); }
            else if (c == '}') { tokens.Add(new(TokenKind.CloseBrace, "}", false, line, column)); Advance(); }
            else if (c == '[') { tokens.Add(new(TokenKind.OpenBracket, "[", false, line, column)); Advance(); }
            else if (c == ']') { tokens.Add(new(TokenKind.CloseBracket, "]", false, line, column)); Advance(); }
            else if (c == ',') { tokens.Add(new(TokenKind.Comma, ",", false, line, column)); Advance(); }
            else if (c == '=' || c == ':') { tokens.Add(new(TokenKind.Separator, c.ToString(), false, line, column)); Advance(); }
            else if (Peek("+=")) { Error(line, column, "'+=' is not supported in sweep files; write the whole array"); Advance(); Advance(); }
            else if (Peek("${")) ReadSubstitution(tokens, line, column);
            else if (Peek("\"\"\"")) { if (!ReadTripleQuoted(tokens, line, column)) return tokens.ToImmutable(); }
            else if (c == '"') { if (!ReadQuoted(tokens, line, column)) return tokens.ToImmutable(); }
            else if (Reserved.Contains(c)) { Error(line, column, $"unexpected character '{c}' (quote the value if it is text)"); Advance(); }
            else ReadUnquoted(tokens, line, column);
            if (tokens.Count > count && spaceBefore) tokens[^1] = tokens[^1] with { SpaceBefore = true };
        }
        tokens.Add(new(TokenKind.End, "", false, _line, _column));
        return tokens.ToImmutable();
    }

    private bool IsValidSurrogatePair() =>
        char.IsHighSurrogate(_text[_pos]) && _pos + 1 < _text.Length && char.IsLowSurrogate(_text[_pos + 1]);

    private bool Peek(string s) => string.CompareOrdinal(_text, _pos, s, 0, s.Length) == 0;

    private void Advance()
    {
        if (_text[_pos] == '\n') { _line++; _column = 1; } else _column++;
        _pos++;
    }

    private void Error(int line, int column, string message) => _errors.Add(new(line, column, message));

    private void SkipComment()
    {
        while (_pos < _text.Length && _text[_pos] != '\n')
        {
            if (char.IsControl(_text[_pos]) && _text[_pos] != '\t' && _text[_pos] != '\r')
                Error(_line, _column, $"control character U+{(int)_text[_pos]:X4} is not allowed");
            Advance();
        }
    }

    /// <summary><c>${a.b}</c> or <c>${?a.b}</c>: an unquoted path, closed on the same line.</summary>
    private void ReadSubstitution(ImmutableArray<Token>.Builder tokens, int line, int column)
    {
        Advance();
        Advance();
        var optional = _pos < _text.Length && _text[_pos] == '?';
        if (optional) Advance();
        var start = _pos;
        while (_pos < _text.Length && _text[_pos] != '}' && !char.IsWhiteSpace(_text[_pos]) && !char.IsControl(_text[_pos])
               && !Reserved.Contains(_text[_pos])) Advance();
        var path = _text[start.._pos];
        if (_pos >= _text.Length || _text[_pos] != '}')
        {
            Error(line, column, "unclosed substitution: write ${path} with the '}' on the same line (unquoted keys only)");
            while (_pos < _text.Length && _text[_pos] != '}' && _text[_pos] != '\n') Advance();
            if (_pos < _text.Length && _text[_pos] == '}') Advance();
            return;
        }
        Advance();
        if (path.Length == 0 || path.Split('.').Any(p => p.Length == 0))
            Error(line, column, $"substitution '${{{(optional ? "?" : "")}{path}}}' needs a key path such as ${{base.training}}");
        else tokens.Add(new(TokenKind.Substitution, path, optional, line, column));
    }

    private bool ReadQuoted(ImmutableArray<Token>.Builder tokens, int line, int column)
    {
        var value = new StringBuilder();
        Advance();
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (c == '"') { Advance(); tokens.Add(new(TokenKind.Text, value.ToString(), true, line, column)); return true; }
            if (c == '\n') break;
            if (char.IsControl(c) && c != '\t') { Error(_line, _column, $"control character U+{(int)c:X4} inside a string"); Advance(); continue; }
            if (c == '\\')
            {
                int escLine = _line, escColumn = _column;
                Advance();
                if (_pos >= _text.Length || _text[_pos] == '\n') break;
                var e = _text[_pos];
                if (Unescape(e) is { } decoded) { value.Append(decoded); Advance(); continue; }
                if (e == 'u' && _pos + 4 < _text.Length && _text.AsSpan(_pos + 1, 4).ToString().All(Uri.IsHexDigit))
                {
                    value.Append((char)Convert.ToInt32(_text.Substring(_pos + 1, 4), 16));
                    for (var i = 0; i < 5; i++) Advance();
                    continue;
                }
                Error(escLine, escColumn, $"invalid escape '\\{e}' in a string");
                Advance();
                continue;
            }
            value.Append(c);
            Advance();
        }
        Error(line, column, "unterminated string: '\"' is not closed on this line");
        return false;
    }

    /// <summary>The character a HOCON (JSON) escape stands for, or null when the escape is not one.</summary>
    private static char? Unescape(char e) => e switch
    {
        '"' => '"',
        '\\' => '\\',
        '/' => '/',
        'b' => '\b',
        'f' => '\f',
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        _ => null,
    };

    private bool ReadTripleQuoted(ImmutableArray<Token>.Builder tokens, int line, int column)
    {
        for (var i = 0; i < 3; i++) Advance();
        var start = _pos;
        while (_pos < _text.Length)
        {
            if (Peek("\"\"\""))
            {
                // Extra quotes before the closing three belong to the string, as HOCON says.
                while (_pos + 3 < _text.Length && _text[_pos + 3] == '"') Advance();
                var value = _text[start.._pos];
                for (var i = 0; i < 3; i++) Advance();
                tokens.Add(new(TokenKind.Text, value, true, line, column));
                return true;
            }
            var c = _text[_pos];
            if (char.IsControl(c) && c != '\n' && c != '\r' && c != '\t') Error(_line, _column, $"control character U+{(int)c:X4} inside a string");
            Advance();
        }
        Error(line, column, "unterminated string: '\"\"\"' is never closed");
        return false;
    }

    private void ReadUnquoted(ImmutableArray<Token>.Builder tokens, int line, int column)
    {
        var start = _pos;
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (char.IsWhiteSpace(c) || char.IsControl(c) || Reserved.Contains(c) || Peek("//") || c == '\uFEFF') break;
            Advance();
        }
        tokens.Add(new(TokenKind.Text, _text[start.._pos], false, line, column));
    }
}

/// <summary>A problem at a line and column of the text being scanned.</summary>
internal readonly record struct SpecErrorAt(int Line, int Column, string Message);

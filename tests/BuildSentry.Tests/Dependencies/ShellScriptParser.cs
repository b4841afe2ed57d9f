using System.Text;

namespace BuildSentry.Tests.Dependencies;

/// <summary>
/// Splits shell text into simple commands (lists of words) the way sh does, far enough to find the word that
/// names each program: quotes, comments, redirections, here-documents and line continuations are honoured,
/// and $(...), `...` and &lt;(...) contribute their own commands. Not a full shell grammar: what it cannot
/// know (a program chosen by a variable) it leaves as a dynamic word.
/// </summary>
internal sealed class ShellScriptParser
{
    private readonly string _text;
    private readonly List<IReadOnlyList<ShellWord>> _commands;
    private readonly List<ShellWord> _current = [];
    private readonly List<string> _hereDocuments = [];
    private readonly StringBuilder _word = new();
    private int _position;
    private bool _inWord;
    private bool _dynamic;
    private bool _discardWord;

    private ShellScriptParser(string text, int position, List<IReadOnlyList<ShellWord>> commands)
    {
        _text = text;
        _position = position;
        _commands = commands;
    }

    public static IReadOnlyList<IReadOnlyList<ShellWord>> Commands(string script)
    {
        var commands = new List<IReadOnlyList<ShellWord>>();
        new ShellScriptParser(script, 0, commands).ParseList(nested: false);
        return commands;
    }

    private int ParseList(bool nested)
    {
        while (_position < _text.Length)
        {
            var c = _text[_position];
            var next = _position + 1 < _text.Length ? _text[_position + 1] : '\0';
            switch (c)
            {
                case '\\' when next == '\n':
                    _position += 2;
                    break;
                case '\\':
                    Append(next);
                    _position += 2;
                    break;
                case '\'':
                    var close = _text.IndexOf('\'', _position + 1);
                    close = close < 0 ? _text.Length : close;
                    Append(_text[(_position + 1)..close]);
                    _position = close + 1;
                    break;
                case '"':
                    ParseDoubleQuoted();
                    break;
                case '$':
                    ParseDollar();
                    break;
                case '`':
                    ParseBackquoted();
                    break;
                case ' ' or '\t':
                    EndWord();
                    _position++;
                    break;
                case '\n':
                    EndCommand();
                    _position++;
                    SkipHereDocuments();
                    break;
                case '#' when !_inWord:
                    while (_position < _text.Length && _text[_position] != '\n')
                    {
                        _position++;
                    }

                    break;
                case ';' or '&' or '|' when !(c == '&' && next == '>'):
                    EndCommand();
                    _position += next == c ? 2 : 1;
                    break;
                case '<' or '>' when next == '(':
                    EndWord();
                    _position += 2;
                    _position = new ShellScriptParser(_text, _position, _commands).ParseList(nested: true);
                    _inWord = _dynamic = true;
                    break;
                case '<' or '>' or '&':
                    ParseRedirection();
                    break;
                case '(' when _inWord && _word.Length > 0 && _word[^1] == '=':
                    // "NAME=(...)" / "NAME+=(...)": an array's elements are words, not commands.
                    SkipArray();
                    break;
                case '(' when _inWord && next == ')':
                    // "name() {": a function definition, not a command.
                    ResetWord();
                    _current.Clear();
                    _position += 2;
                    break;
                case '(':
                    EndCommand();
                    _position = new ShellScriptParser(_text, _position + 1, _commands).ParseList(nested: true);
                    break;
                case ')' when nested:
                    EndCommand();
                    return _position + 1;
                case ')':
                    // An unmatched ")" ends a case pattern ("up)"): the words before it are a pattern.
                    ResetWord();
                    _current.Clear();
                    _position++;
                    break;
                default:
                    Append(c);
                    _position++;
                    break;
            }
        }

        EndCommand();
        return _position;
    }

    private void ParseDoubleQuoted()
    {
        _inWord = true;
        _position++;
        while (_position < _text.Length && _text[_position] != '"')
        {
            switch (_text[_position])
            {
                case '\\' when _position + 1 < _text.Length:
                    Append(_text[_position + 1]);
                    _position += 2;
                    break;
                case '$':
                    ParseDollar();
                    break;
                case '`':
                    ParseBackquoted();
                    break;
                default:
                    Append(_text[_position++]);
                    break;
            }
        }

        _position++;
    }

    private void ParseDollar()
    {
        var rest = _text.AsSpan(_position);
        _inWord = _dynamic = true;
        if (rest.StartsWith("$(("))
        {
            _position = SkipBalanced(_position + 1, '(', ')');
        }
        else if (rest.StartsWith("$("))
        {
            _position = new ShellScriptParser(_text, _position + 2, _commands).ParseList(nested: true);
        }
        else if (rest.StartsWith("${"))
        {
            _position = SkipBalanced(_position + 1, '{', '}');
        }
        else if (rest.Length > 1 && (char.IsAsciiLetter(rest[1]) || rest[1] == '_'))
        {
            _position++;
            while (_position < _text.Length && (char.IsAsciiLetterOrDigit(_text[_position]) || _text[_position] == '_'))
            {
                _position++;
            }
        }
        else if (rest.Length > 1 && "@*#?$!-0123456789".Contains(rest[1], StringComparison.Ordinal))
        {
            _position += 2;
        }
        else
        {
            _dynamic = false;
            Append('$');
            _position++;
        }
    }

    private void ParseBackquoted()
    {
        var close = _text.IndexOf('`', _position + 1);
        close = close < 0 ? _text.Length : close;
        new ShellScriptParser(_text[(_position + 1)..close], 0, _commands).ParseList(nested: false);
        _inWord = _dynamic = true;
        _position = close + 1;
    }

    private void ParseRedirection()
    {
        if (_text.AsSpan(_position).StartsWith("<<<"))
        {
            EndWordUnlessDescriptor();
            _position += 3;
            _discardWord = true;
            return;
        }

        if (_text.AsSpan(_position).StartsWith("<<"))
        {
            EndWordUnlessDescriptor();
            _position += 2;
            if (_position < _text.Length && _text[_position] == '-')
            {
                _position++;
            }

            while (_position < _text.Length && _text[_position] is ' ' or '\t')
            {
                _position++;
            }

            var start = _position;
            while (_position < _text.Length && !char.IsWhiteSpace(_text[_position]) && _text[_position] is not (';' or '|' or '&' or ')'))
            {
                _position++;
            }

            _hereDocuments.Add(_text[start.._position].Trim('\'', '"'));
            return;
        }

        EndWordUnlessDescriptor();
        while (_position < _text.Length && _text[_position] is '<' or '>' or '&' or '|')
        {
            _position++;
        }

        // ">&2", "2>&1", "&>/dev/null": the target follows at once or after blanks; either way it is no command word.
        _discardWord = true;
    }

    private void EndWordUnlessDescriptor()
    {
        if (_inWord && !_dynamic && _word.Length > 0 && _word.ToString().All(char.IsAsciiDigit))
        {
            ResetWord();
        }

        EndWord();
    }

    private void SkipHereDocuments()
    {
        foreach (var delimiter in _hereDocuments)
        {
            while (_position < _text.Length)
            {
                var end = _text.IndexOf('\n', _position);
                end = end < 0 ? _text.Length : end;
                var line = _text[_position..end].Trim();
                _position = Math.Min(end + 1, _text.Length);
                if (line == delimiter)
                {
                    break;
                }
            }
        }

        _hereDocuments.Clear();
    }

    private void SkipArray()
    {
        _dynamic = true;
        var depth = 0;
        for (; _position < _text.Length; _position++)
        {
            var c = _text[_position];
            if (c == '#' && char.IsWhiteSpace(_text[_position - 1]))
            {
                _position = _text.IndexOf('\n', _position) is >= 0 and var end ? end : _text.Length;
            }
            else if (c is '\'' or '"')
            {
                _position = _text.IndexOf(c, _position + 1) is >= 0 and var close ? close : _text.Length;
            }
            else if ((depth += c == '(' ? 1 : c == ')' ? -1 : 0) == 0)
            {
                _position++;
                return;
            }
        }
    }

    private int SkipBalanced(int open, char opening, char closing)
    {
        var depth = 0;
        for (var i = open; i < _text.Length; i++)
        {
            depth += _text[i] == opening ? 1 : _text[i] == closing ? -1 : 0;
            if (depth == 0)
            {
                return i + 1;
            }
        }

        return _text.Length;
    }

    private void Append(char c)
    {
        _word.Append(c);
        _inWord = true;
    }

    private void Append(string s)
    {
        _word.Append(s);
        _inWord = true;
    }

    private void EndWord()
    {
        if (_inWord && !_discardWord)
        {
            _current.Add(new ShellWord(_word.ToString(), _dynamic));
        }

        if (_inWord)
        {
            _discardWord = false;
        }

        ResetWord();
    }

    private void ResetWord()
    {
        _word.Clear();
        _inWord = _dynamic = false;
    }

    private void EndCommand()
    {
        EndWord();
        _discardWord = false;
        if (_current.Count > 0)
        {
            _commands.Add([.. _current]);
            _current.Clear();
        }
    }
}

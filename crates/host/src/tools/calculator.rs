//! `calculator`: a safe arithmetic evaluator (a small Pratt parser; no variables, no code).
//!
//! Numbers (`3`, `2.5`, `1e3`), `+ - * / %` (remainder), `^` (power, right-associative,
//! binding tighter than unary minus: `-2^2` is -4), parentheses, the constants `pi` and `e`,
//! and the functions `sqrt abs floor ceil round exp ln log10 log2 sin cos tan min max pow`.
//! The result is an integer when it is a whole number within ±2^53, else a float.

use futures::FutureExt;
use llmspell_bridge::{HostError, Map, Value};
use serde_json::json;

use super::{BuiltinDecl, arg_str};

pub(super) const TOOL: BuiltinDecl = (
    "calculator",
    "Evaluates an arithmetic expression: numbers, + - * / % ^ (power), parentheses, unary \
     minus, constants pi and e, functions sqrt, abs, floor, ceil, round, exp, ln, log10, log2, \
     sin, cos, tan, min, max, pow. Returns the number.",
    || {
        json!({
            "type": "object",
            "properties": {"expression": {"type": "string", "description": "The expression, e.g. `(2 + 3) * 4 ^ 2`."}},
            "required": ["expression"],
            "additionalProperties": false
        })
    },
    |_context, args| async move { run(&args) }.boxed(),
);

fn run(args: &Map) -> Result<Value, HostError> {
    let number = evaluate(arg_str(args, "expression").unwrap_or_default())?;
    Ok(number_value(number))
}

/// An integer when whole and exactly representable, else a float.
pub(crate) fn number_value(number: f64) -> Value {
    if number.fract() == 0.0 && number.abs() <= 9_007_199_254_740_992.0 {
        Value::Int(number as i64)
    } else {
        Value::Float(number)
    }
}

const MAX_LENGTH: usize = 10_000;
const MAX_DEPTH: usize = 200;

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Number(f64),
    Name(String),
    Op(char),
    Open,
    Close,
    Comma,
}

/// Evaluates an expression (`invalid_argument` for syntax errors, division by zero and
/// results that are not finite).
pub(crate) fn evaluate(expression: &str) -> Result<f64, HostError> {
    if expression.len() > MAX_LENGTH {
        return Err(HostError::invalid_argument("the expression is too long"));
    }
    let tokens = tokenize(expression)?;
    let mut parser = Parser {
        tokens,
        position: 0,
        depth: 0,
    };
    let value = parser.expression(0)?;
    if let Some(token) = parser.tokens.get(parser.position) {
        return Err(syntax(&format!("unexpected {}", describe(token))));
    }
    if !value.is_finite() {
        return Err(HostError::invalid_argument(
            "the result is not a finite number",
        ));
    }
    Ok(value)
}

fn syntax(message: &str) -> HostError {
    HostError::invalid_argument(format!("bad expression: {message}"))
}

fn describe(token: &Token) -> String {
    match token {
        Token::Number(number) => format!("number {number}"),
        Token::Name(name) => format!("'{name}'"),
        Token::Op(op) => format!("'{op}'"),
        Token::Open => "'('".to_owned(),
        Token::Close => "')'".to_owned(),
        Token::Comma => "','".to_owned(),
    }
}

fn tokenize(text: &str) -> Result<Vec<Token>, HostError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() || c == '.' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                let mut j = i + 1;
                if j < chars.len() && (chars[j] == '+' || chars[j] == '-') {
                    j += 1;
                }
                if j < chars.len() && chars[j].is_ascii_digit() {
                    i = j;
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
            let literal: String = chars[start..i].iter().collect();
            let number = literal
                .parse::<f64>()
                .map_err(|_| syntax(&format!("bad number '{literal}'")))?;
            tokens.push(Token::Number(number));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push(Token::Name(
                chars[start..i]
                    .iter()
                    .collect::<String>()
                    .to_ascii_lowercase(),
            ));
        } else {
            tokens.push(match c {
                '+' | '-' | '*' | '/' | '%' | '^' => Token::Op(c),
                '(' => Token::Open,
                ')' => Token::Close,
                ',' => Token::Comma,
                other => return Err(syntax(&format!("unexpected character '{other}'"))),
            });
            i += 1;
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    position: usize,
    depth: usize,
}

/// Binding powers (left, right) of the infix operators.
fn infix_power(op: char) -> (u8, u8) {
    match op {
        '+' | '-' => (1, 2),
        '*' | '/' | '%' => (3, 4),
        '^' => (8, 7),
        _ => (0, 0),
    }
}

/// Unary minus binds tighter than `*` and looser than `^`.
const PREFIX_POWER: u8 = 5;

impl Parser {
    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.position).cloned();
        self.position += 1;
        token
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.position)
    }

    fn expression(&mut self, min_power: u8) -> Result<f64, HostError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(syntax("nested too deeply"));
        }
        let mut left = self.prefix()?;
        while let Some(Token::Op(op)) = self.peek().cloned() {
            let (left_power, right_power) = infix_power(op);
            if left_power < min_power {
                break;
            }
            self.position += 1;
            let right = self.expression(right_power)?;
            left = match op {
                '+' => left + right,
                '-' => left - right,
                '*' => left * right,
                '/' if right == 0.0 => return Err(HostError::invalid_argument("division by zero")),
                '/' => left / right,
                '%' if right == 0.0 => return Err(HostError::invalid_argument("division by zero")),
                '%' => left % right,
                _ => left.powf(right),
            };
        }
        self.depth -= 1;
        Ok(left)
    }

    fn prefix(&mut self) -> Result<f64, HostError> {
        match self.next() {
            Some(Token::Number(number)) => Ok(number),
            Some(Token::Op('-')) => Ok(-self.expression(PREFIX_POWER)?),
            Some(Token::Op('+')) => self.expression(PREFIX_POWER),
            Some(Token::Open) => {
                let value = self.expression(0)?;
                self.expect_close()?;
                Ok(value)
            }
            Some(Token::Name(name)) => self.name(&name),
            Some(token) => Err(syntax(&format!("unexpected {}", describe(&token)))),
            None => Err(syntax("unexpected end")),
        }
    }

    fn expect_close(&mut self) -> Result<(), HostError> {
        match self.next() {
            Some(Token::Close) => Ok(()),
            Some(token) => Err(syntax(&format!("expected ')', found {}", describe(&token)))),
            None => Err(syntax("missing ')'")),
        }
    }

    fn name(&mut self, name: &str) -> Result<f64, HostError> {
        match name {
            "pi" => return Ok(std::f64::consts::PI),
            "e" => return Ok(std::f64::consts::E),
            _ => {}
        }
        if self.peek() != Some(&Token::Open) {
            return Err(syntax(&format!("unknown name '{name}'")));
        }
        self.position += 1;
        let mut args = Vec::new();
        if self.peek() == Some(&Token::Close) {
            self.position += 1;
        } else {
            loop {
                args.push(self.expression(0)?);
                match self.next() {
                    Some(Token::Comma) => continue,
                    Some(Token::Close) => break,
                    Some(token) => {
                        return Err(syntax(&format!(
                            "expected ',' or ')', found {}",
                            describe(&token)
                        )));
                    }
                    None => return Err(syntax("missing ')'")),
                }
            }
        }
        let one = |f: fn(f64) -> f64| -> Result<f64, HostError> {
            match args.as_slice() {
                [x] => Ok(f(*x)),
                _ => Err(syntax(&format!(
                    "{name}() takes 1 argument, got {}",
                    args.len()
                ))),
            }
        };
        match name {
            "sqrt" => one(f64::sqrt),
            "abs" => one(f64::abs),
            "floor" => one(f64::floor),
            "ceil" => one(f64::ceil),
            "round" => one(f64::round),
            "exp" => one(f64::exp),
            "ln" => one(f64::ln),
            "log10" | "log" => one(f64::log10),
            "log2" => one(f64::log2),
            "sin" => one(f64::sin),
            "cos" => one(f64::cos),
            "tan" => one(f64::tan),
            "pow" => match args.as_slice() {
                [x, y] => Ok(x.powf(*y)),
                _ => Err(syntax(&format!(
                    "pow() takes 2 arguments, got {}",
                    args.len()
                ))),
            },
            "min" | "max" if args.is_empty() => Err(syntax(&format!("{name}() needs an argument"))),
            "min" => Ok(args.iter().copied().fold(f64::INFINITY, f64::min)),
            "max" => Ok(args.iter().copied().fold(f64::NEG_INFINITY, f64::max)),
            _ => Err(syntax(&format!("unknown function '{name}'"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_associativity_and_functions() {
        let cases = [
            ("1 + 2 * 3", 7.0),
            ("(1 + 2) * 3", 9.0),
            ("2 ^ 3 ^ 2", 512.0),
            ("-2 ^ 2", -4.0),
            ("(-2) ^ 2", 4.0),
            ("10 - 4 - 3", 3.0),
            ("7 % 4", 3.0),
            ("--3", 3.0),
            ("2 * -3", -6.0),
            ("sqrt(16) + abs(-2)", 6.0),
            ("max(1, 5, 3) - min(4, 2)", 3.0),
            ("pow(2, 10)", 1024.0),
            ("1e3 / 4", 250.0),
            ("round(2.5) + floor(1.9) + ceil(1.1)", 6.0),
        ];
        for (expression, expected) in cases {
            assert_eq!(evaluate(expression).unwrap(), expected, "{expression}");
        }
        assert!((evaluate("2 * pi").unwrap() - std::f64::consts::TAU).abs() < 1e-12);
        assert_eq!(number_value(evaluate("7 / 2").unwrap()), Value::Float(3.5));
        assert_eq!(number_value(evaluate("8 / 2").unwrap()), Value::Int(4));
    }

    #[test]
    fn errors_are_invalid_arguments() {
        for expression in [
            "1 +",
            "2 * (3",
            "1 / 0",
            "5 % 0",
            "foo(1)",
            "x",
            "1 2",
            "sqrt(1, 2)",
            "3 $ 4",
            "",
            "sqrt(-1)",
            "max()",
        ] {
            let error = evaluate(expression).unwrap_err();
            assert_eq!(error.code, "invalid_argument", "{expression}: {error}");
        }
        let deep = format!("{}1{}", "(".repeat(500), ")".repeat(500));
        assert!(evaluate(&deep).unwrap_err().message.contains("deeply"));
    }
}

//! Host modules, functions and object types: each declared once, with the metadata
//! (parameters, types, defaults, docs, examples) that bindings, validation and tooling derive from.

use std::fmt;
use std::sync::Arc;

use futures::future::BoxFuture;

use crate::error::HostError;
use crate::types::Type;
use crate::value::{Object, Value};

/// A function's parameter.
#[derive(Clone, Debug)]
pub struct Param {
    pub name: &'static str,
    pub ty: Type,
    pub optional: bool,
    /// The value used when an optional argument is omitted or `nil`.
    pub default: Option<Value>,
    /// Takes all remaining arguments (`print(...)`).
    pub variadic: bool,
    pub doc: &'static str,
}

/// The same example written in each language.
#[derive(Clone, Debug, Default)]
pub struct Examples {
    pub lua: &'static str,
    pub js: &'static str,
    pub rhai: &'static str,
}

/// A synchronous host function body.
pub type SyncFn = dyn Fn(Args) -> Result<Value, HostError> + Send + Sync;
/// An I/O-bound host function body: a Promise in JavaScript, a blocking call in Lua and Rhai.
pub type AsyncFn = dyn Fn(Args) -> BoxFuture<'static, Result<Value, HostError>> + Send + Sync;

/// How a host function runs.
#[derive(Clone)]
pub enum Implementation {
    Sync(Arc<SyncFn>),
    Async(Arc<AsyncFn>),
}

/// A host function (module function, global function or object method) and its metadata.
#[derive(Clone)]
pub struct Function {
    pub name: &'static str,
    /// Second names for the same function (`new` for `create`).
    pub aliases: Vec<&'static str>,
    pub doc: &'static str,
    pub params: Vec<Param>,
    pub returns: Type,
    pub returns_doc: &'static str,
    pub examples: Examples,
    pub implementation: Implementation,
}

impl fmt::Debug for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Function({})", self.signature())
    }
}

impl Function {
    /// Starts declaring a function; finish with [`Function::sync`] or [`Function::io`].
    pub fn new(name: &'static str) -> FunctionBuilder {
        FunctionBuilder {
            name,
            aliases: Vec::new(),
            doc: "",
            params: Vec::new(),
            returns: Type::Nil,
            returns_doc: "",
            examples: Examples::default(),
        }
    }

    /// Whether the function is I/O-bound (returns a Promise in JavaScript).
    pub fn is_async(&self) -> bool {
        matches!(self.implementation, Implementation::Async(_))
    }

    /// `name(a: str, b?: int) -> str`.
    pub fn signature(&self) -> String {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|param| {
                let dots = if param.variadic { "..." } else { "" };
                let mark = if param.optional && !param.variadic { "?" } else { "" };
                format!("{dots}{}{mark}: {}", param.name, param.ty)
            })
            .collect();
        format!("{}({}) -> {}", self.name, params.join(", "), self.returns)
    }

    /// The fewest and most arguments this function takes (`None` = unbounded).
    pub fn arity(&self) -> (usize, Option<usize>) {
        let required = self.params.iter().filter(|param| !param.optional && !param.variadic).count();
        let most = if self.params.iter().any(|param| param.variadic) {
            None
        } else {
            Some(self.params.len())
        };
        (required, most)
    }

    /// Checks `values` against the declared parameters and fills in defaults.
    ///
    /// `qualified` is how the error names the function (`json.encode`, `State.get`).
    pub fn validate(
        &self,
        qualified: &str,
        this: Option<Value>,
        mut values: Vec<Value>,
    ) -> Result<Args, HostError> {
        // Trailing nils are how engines pass "omitted", so they never count as extra arguments.
        let (required, most) = self.arity();
        while most.is_some_and(|most| values.len() > most) && values.last().is_some_and(Value::is_nil)
        {
            values.pop();
        }
        if values.len() < required || most.is_some_and(|most| values.len() > most) {
            let expected = match most {
                Some(most) if most == required => plural(required, "argument"),
                Some(most) => format!("{required} to {most} arguments"),
                None => format!("at least {}", plural(required, "argument")),
            };
            return Err(HostError::invalid_argument(format!(
                "{qualified}: expected {expected}, got {}",
                values.len()
            )));
        }
        let mut checked = Vec::with_capacity(self.params.len().max(values.len()));
        let mut given = values.into_iter();
        for param in &self.params {
            if param.variadic {
                for value in given.by_ref() {
                    check_type(qualified, param, &value)?;
                    checked.push(value);
                }
                break;
            }
            let value = given.next().unwrap_or(Value::Nil);
            if value.is_nil() && param.optional {
                checked.push(param.default.clone().unwrap_or(Value::Nil));
                continue;
            }
            check_type(qualified, param, &value)?;
            checked.push(value);
        }
        Ok(Args { qualified: qualified.to_owned(), this, values: checked })
    }

    /// Validates and calls a synchronous function, or returns the future of an I/O-bound one.
    pub fn invoke(&self, qualified: &str, this: Option<Value>, values: Vec<Value>) -> Invocation {
        let args = match self.validate(qualified, this, values) {
            Ok(args) => args,
            Err(error) => return Invocation::Ready(Err(error)),
        };
        match &self.implementation {
            Implementation::Sync(body) => Invocation::Ready(body(args)),
            Implementation::Async(body) => Invocation::Pending(body(args)),
        }
    }
}

/// The outcome of [`Function::invoke`].
pub enum Invocation {
    Ready(Result<Value, HostError>),
    Pending(BoxFuture<'static, Result<Value, HostError>>),
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 { format!("1 {word}") } else { format!("{count} {word}s") }
}

fn check_type(qualified: &str, param: &Param, value: &Value) -> Result<(), HostError> {
    param
        .ty
        .check(value)
        .map_err(|mismatch| HostError::invalid_argument(mismatch.message(qualified, param.name)))
}

/// Arguments after validation: one value per declared parameter (defaults filled in),
/// then any variadic rest.
#[derive(Clone, Debug)]
pub struct Args {
    /// The qualified function name, for error messages.
    pub qualified: String,
    /// The receiver, for methods.
    pub this: Option<Value>,
    pub values: Vec<Value>,
}

impl Args {
    pub fn get(&self, index: usize) -> &Value {
        static NIL: Value = Value::Nil;
        self.values.get(index).unwrap_or(&NIL)
    }
    pub fn take(&mut self, index: usize) -> Value {
        self.values.get_mut(index).map(std::mem::take).unwrap_or_default()
    }
    /// A string argument; validation already checked the type, so this only fails on misuse.
    pub fn str(&self, index: usize) -> Result<&str, HostError> {
        self.get(index).as_str().ok_or_else(|| self.misuse(index, "str"))
    }
    pub fn opt_str(&self, index: usize) -> Option<&str> {
        self.get(index).as_str()
    }
    pub fn int(&self, index: usize) -> Result<i64, HostError> {
        match self.get(index) {
            Value::Int(number) => Ok(*number),
            Value::Float(number) if number.fract() == 0.0 => Ok(*number as i64),
            _ => Err(self.misuse(index, "int")),
        }
    }
    pub fn bool(&self, index: usize) -> bool {
        self.get(index).is_truthy()
    }
    /// The receiver as a concrete host object.
    pub fn this<T: crate::value::HostObject>(&self) -> Result<&T, HostError> {
        self.this
            .as_ref()
            .and_then(Value::as_object)
            .and_then(Object::downcast::<T>)
            .ok_or_else(|| {
                HostError::invalid_argument(format!("{}: called without its object", self.qualified))
            })
    }
    fn misuse(&self, index: usize, expected: &str) -> HostError {
        HostError::invalid_argument(format!(
            "{}: argument {} expects {expected}, got {}",
            self.qualified,
            index + 1,
            Type::describe_value(self.get(index))
        ))
    }
}

/// Declares a [`Function`].
pub struct FunctionBuilder {
    name: &'static str,
    aliases: Vec<&'static str>,
    doc: &'static str,
    params: Vec<Param>,
    returns: Type,
    returns_doc: &'static str,
    examples: Examples,
}

impl FunctionBuilder {
    pub fn doc(mut self, doc: &'static str) -> Self {
        self.doc = doc;
        self
    }
    pub fn alias(mut self, alias: &'static str) -> Self {
        self.aliases.push(alias);
        self
    }
    /// A required parameter.
    pub fn param(mut self, name: &'static str, ty: Type, doc: &'static str) -> Self {
        self.params.push(Param { name, ty, optional: false, default: None, variadic: false, doc });
        self
    }
    /// An optional parameter with the value used when it is omitted.
    pub fn optional(
        mut self,
        name: &'static str,
        ty: Type,
        default: Option<Value>,
        doc: &'static str,
    ) -> Self {
        self.params.push(Param { name, ty, optional: true, default, variadic: false, doc });
        self
    }
    /// A final parameter that takes every remaining argument.
    pub fn variadic(mut self, name: &'static str, ty: Type, doc: &'static str) -> Self {
        self.params.push(Param { name, ty, optional: true, default: None, variadic: true, doc });
        self
    }
    pub fn returns(mut self, ty: Type, doc: &'static str) -> Self {
        self.returns = ty;
        self.returns_doc = doc;
        self
    }
    /// The same example in Lua, JavaScript and Rhai.
    pub fn example(mut self, lua: &'static str, js: &'static str, rhai: &'static str) -> Self {
        self.examples = Examples { lua, js, rhai };
        self
    }
    /// Finishes with a synchronous body.
    pub fn sync(
        self,
        body: impl Fn(Args) -> Result<Value, HostError> + Send + Sync + 'static,
    ) -> Function {
        self.finish(Implementation::Sync(Arc::new(body)))
    }
    /// Finishes with an I/O-bound body.
    pub fn io(
        self,
        body: impl Fn(Args) -> BoxFuture<'static, Result<Value, HostError>> + Send + Sync + 'static,
    ) -> Function {
        self.finish(Implementation::Async(Arc::new(body)))
    }
    fn finish(self, implementation: Implementation) -> Function {
        Function {
            name: self.name,
            aliases: self.aliases,
            doc: self.doc,
            params: self.params,
            returns: self.returns,
            returns_doc: self.returns_doc,
            examples: self.examples,
            implementation,
        }
    }
}

/// A field of a module or an object type.
#[derive(Clone, Debug)]
pub struct Field {
    pub name: &'static str,
    pub ty: Type,
    pub doc: &'static str,
}

/// What a module binds to in a script.
#[derive(Clone, Debug)]
pub enum ModuleKind {
    /// A table/object of functions (`json.encode`).
    Functions,
    /// Functions bound as globals (`print`).
    Globals,
    /// A plain value (`params`, `spell`); the value is per spell.
    Value(Value),
}

/// A host module: a name, docs, and its functions or value.
#[derive(Clone, Debug)]
pub struct Module {
    pub name: &'static str,
    /// Second global names for the module object (`Agent` for `agent`).
    pub aliases: Vec<&'static str>,
    pub doc: &'static str,
    pub kind: ModuleKind,
    pub functions: Vec<Function>,
    /// Documented fields, for value modules.
    pub fields: Vec<Field>,
}

impl Module {
    pub fn new(name: &'static str, doc: &'static str) -> Module {
        Module {
            name,
            aliases: Vec::new(),
            doc,
            kind: ModuleKind::Functions,
            functions: Vec::new(),
            fields: Vec::new(),
        }
    }
    pub fn globals(name: &'static str, doc: &'static str) -> Module {
        Module { kind: ModuleKind::Globals, ..Module::new(name, doc) }
    }
    pub fn value(name: &'static str, doc: &'static str, value: Value) -> Module {
        Module { kind: ModuleKind::Value(value), ..Module::new(name, doc) }
    }
    pub fn alias(mut self, alias: &'static str) -> Self {
        self.aliases.push(alias);
        self
    }
    pub fn function(mut self, function: Function) -> Self {
        self.functions.push(function);
        self
    }
    pub fn field(mut self, name: &'static str, ty: Type, doc: &'static str) -> Self {
        self.fields.push(Field { name, ty, doc });
        self
    }
    /// The function called `name` or one of its aliases.
    pub fn find(&self, name: &str) -> Option<&Function> {
        self.functions
            .iter()
            .find(|function| function.name == name || function.aliases.contains(&name))
    }
    /// `json.encode`, or `print` for globals.
    pub fn qualified(&self, function: &str) -> String {
        match self.kind {
            ModuleKind::Globals => function.to_owned(),
            _ => format!("{}.{function}", self.name),
        }
    }
}

/// A host object type: its methods and readable fields.
#[derive(Clone, Debug)]
pub struct ObjectType {
    pub name: &'static str,
    pub doc: &'static str,
    pub methods: Vec<Function>,
    pub fields: Vec<Field>,
}

impl ObjectType {
    pub fn new(name: &'static str, doc: &'static str) -> ObjectType {
        ObjectType { name, doc, methods: Vec::new(), fields: Vec::new() }
    }
    pub fn method(mut self, function: Function) -> Self {
        self.methods.push(function);
        self
    }
    pub fn field(mut self, name: &'static str, ty: Type, doc: &'static str) -> Self {
        self.fields.push(Field { name, ty, doc });
        self
    }
    pub fn find(&self, name: &str) -> Option<&Function> {
        self.methods.iter().find(|method| method.name == name || method.aliases.contains(&name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode() -> Function {
        Function::new("encode")
            .param("value", Type::Any, "")
            .optional("pretty", Type::Bool, Some(Value::Bool(false)), "")
            .returns(Type::Str, "")
            .sync(|args| Ok(Value::Str(format!("{:?}", args.values))))
    }

    #[test]
    fn validation_names_function_parameter_expected_and_given() {
        let decode = Function::new("decode")
            .param("text", Type::Str, "")
            .returns(Type::Any, "")
            .sync(|_| Ok(Value::Nil));
        let error = decode.validate("json.decode", None, vec![Value::Int(5)]).unwrap_err();
        assert_eq!(error.code, "invalid_argument");
        assert_eq!(error.message, "json.decode: parameter 'text' expects str, got int 5");
        let error = decode.validate("json.decode", None, vec![]).unwrap_err();
        assert_eq!(error.message, "json.decode: expected 1 argument, got 0");
        let error = encode()
            .validate("json.encode", None, vec![Value::Nil, Value::Nil, Value::Int(1)])
            .unwrap_err();
        assert_eq!(error.message, "json.encode: expected 1 to 2 arguments, got 3");
    }

    #[test]
    fn defaults_fill_omitted_and_nil_optionals() {
        let args = encode().validate("json.encode", None, vec![Value::Int(1)]).unwrap();
        assert_eq!(args.values, vec![Value::Int(1), Value::Bool(false)]);
        let args = encode().validate("json.encode", None, vec![Value::Nil, Value::Nil]).unwrap();
        assert_eq!(args.values, vec![Value::Nil, Value::Bool(false)]);
        assert_eq!(encode().signature(), "encode(value: any, pretty?: bool) -> str");
    }
}

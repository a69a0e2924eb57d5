//! [`forwarded_trait!`]: declares an async trait of the SDK and its forwarding impls for `&T`,
//! `Box<T>` and `Arc<T>` from one list of methods, so a method added to the trait is forwarded
//! by construction (a forwarding impl that fell back to a default method would silently skip
//! the wrapped implementation's own). [`TokenVerifier`](crate::TokenVerifier),
//! [`ApiKeyVerifier`](crate::ApiKeyVerifier), [`PermissionChecker`](crate::PermissionChecker)
//! and [`SessionChecker`](crate::SessionChecker) are declared with it.

macro_rules! forwarded_trait {
    (
        $(#[$trait_meta:meta])*
        pub trait $trait:ident: $($bound:path),+ {
            $(
                $(#[$meta:meta])*
                async fn $name:ident(&self $(, $arg:ident: $arg_ty:ty)*) -> $ret:ty;
            )+
        }
    ) => {
        $(#[$trait_meta])*
        #[async_trait::async_trait]
        pub trait $trait: $($bound +)+ {
            $(
                $(#[$meta])*
                async fn $name(&self $(, $arg: $arg_ty)*) -> $ret;
            )+
        }

        forwarded_trait!(@forward $trait; &T; $($name($($arg: $arg_ty),*) -> $ret;)+);
        forwarded_trait!(@forward $trait; Box<T>; $($name($($arg: $arg_ty),*) -> $ret;)+);
        forwarded_trait!(@forward $trait; std::sync::Arc<T>; $($name($($arg: $arg_ty),*) -> $ret;)+);
    };
    (@forward $trait:ident; $wrapper:ty; $($name:ident($($arg:ident: $arg_ty:ty),*) -> $ret:ty;)+) => {
        #[async_trait::async_trait]
        impl<T: $trait + ?Sized> $trait for $wrapper {
            $(
                async fn $name(&self $(, $arg: $arg_ty)*) -> $ret {
                    (**self).$name($($arg),*).await
                }
            )+
        }
    };
}

pub(crate) use forwarded_trait;

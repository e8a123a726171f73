//! Writing ReqIF.

module.exports = [{
  files: ["src/**/*.js"],
  languageOptions: { sourceType: "commonjs", ecmaVersion: 2018 },
  rules: { "no-unused-vars": "warn", "eqeqeq": "error", "no-eval": "error", "no-debugger": "error", "no-cond-assign": "error",
           "semi": "warn", "no-with": "error", "no-implied-eval": "error" },
}];

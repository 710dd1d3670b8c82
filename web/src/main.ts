// The workbench's entry: Vue 3 with Element Plus (Chinese by default), vue-router and vue-i18n.
import { createApp } from 'vue'
import ElementPlus from 'element-plus'
import 'element-plus/dist/index.css'
import App from './App.vue'
import { router } from './router'
import { i18n } from './i18n'
import './style.css'

createApp(App).use(router).use(i18n).use(ElementPlus).mount('#app')
